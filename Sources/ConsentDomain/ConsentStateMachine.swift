/// The per-customer consent task as a pure state machine: a grant is the pair DELETE then POST,
/// a revoke the DELETE alone. The grantor feeds it what happened (`ConsentEvent`) and does what it
/// says (`ConsentStep`); no I/O here. Transitions are listed in `docs/consent-states.md`.
///
/// Decisions worth knowing:
/// - Once the DELETE succeeded (or found nothing), the customer has no consent. Every later end
///   other than a successful POST leaves the state `missing`, even a partner-level block: `missing`
///   is the truth about the customer and gets the task scheduled first, while the task's own
///   outcome (`.blocked`) carries the partner problem and makes it resume after re-consent.
///   `blocked` is kept for "stopped before anything was removed".
/// - A DELETE that failed removed nothing, so giving up on it restores the state from before the task.
/// - A 409 on the POST means the DELETE did not take: the pair runs once more, then fails with that code.
/// - A 429 never counts as an attempt. Counted attempts are per call: a POST gets its full share of
///   retries even if the DELETE needed some, because by then the customer has no consent.
public struct ConsentStateMachine: Sendable, Equatable, Codable {
    /// Where the task is.
    public enum Step: String, Sendable, Codable {
        case idle
        case deleting
        case posting
        case finished
    }

    /// Pairs run again after a 409 before the task fails.
    public static let maxPairReruns = 1

    public private(set) var state: ConsentState
    public private(set) var step: Step = .idle
    public private(set) var action: RunAction = .grant
    /// The grant set version the customer is known to have (`customer_consents.grant_set_version`).
    public private(set) var grantSetVersion: Int?
    public private(set) var lastErrorCode: String?
    /// True once this task (or an earlier one: state `missing`) left the customer without consent.
    public private(set) var consentRemoved = false
    public private(set) var pairReruns = 0
    /// Counted failures of the current call.
    public private(set) var failedAttempts = 0
    public private(set) var consecutiveThrottles = 0
    /// Counted failures allowed per call (`BackoffPolicy.maxAttempts`).
    public let maxAttempts: Int

    private var targetVersion: Int?
    private var stateBeforeTask: ConsentState

    /// A machine for a customer whose stored consent is `state`.
    public init(state: ConsentState, grantSetVersion: Int? = nil, maxAttempts: Int = BackoffPolicy.default.maxAttempts) {
        self.state = state
        self.stateBeforeTask = state
        self.grantSetVersion = grantSetVersion
        self.maxAttempts = max(maxAttempts, 1)
    }

    public mutating func handle(_ event: ConsentEvent) -> ConsentStep {
        switch (event, step) {
        case (.taskStarted(let action, let version), _):
            return start(action, version: version)
        case (.deleteSucceeded, .deleting):
            return deleted(audit: .deleteSucceeded)
        case (.deleteFailed(.notFound, _), .deleting):
            return deleted(audit: .deleteNotFound)
        case (.deleteFailed(let kind, let code), .deleting):
            return deleteFailed(kind, code: code)
        case (.postSucceeded, .posting):
            return posted()
        case (.postFailed(let kind, let code), .posting):
            return postFailed(kind, code: code)
        case (.tokenFailed(let reason, let code), .deleting), (.tokenFailed(let reason, let code), .posting):
            return tokenFailed(reason, code: code)
        default:
            return ConsentStep(action: .ignore, audit: [], state: state)
        }
    }

    private mutating func start(_ action: RunAction, version: Int?) -> ConsentStep {
        // A task found `granting` was cut off mid-pair: what the customer has is unknown.
        stateBeforeTask = state == .granting ? .unknown : state
        consentRemoved = state == .missing
        self.action = action
        targetVersion = version
        pairReruns = 0
        resetCallCounters()
        step = .deleting
        if action != .revoke { state = .granting } else { state = stateBeforeTask }
        return ConsentStep(action: .call(.delete), audit: [.deleteRequested], state: state)
    }

    private mutating func deleted(audit: ConsentAuditAction) -> ConsentStep {
        consentRemoved = true
        resetCallCounters()
        switch action {
        case .grant, .reconcile:
            // A reconcile's task grants: it runs only where the tenant was read to differ.
            step = .posting
            return ConsentStep(action: .call(.post), audit: [audit, .postRequested], state: state)
        case .revoke:
            state = .revoked
            grantSetVersion = nil
            lastErrorCode = nil
            return finish(.succeeded(grantSetVersion: nil), audit: [audit])
        }
    }

    private mutating func deleteFailed(_ kind: PartnerCenterFailureKind, code: String) -> ConsentStep {
        switch kind {
        case .throttled(let retryAfter):
            return throttled(.delete, retryAfter: retryAfter, audit: .deleteFailed)
        case .transient(let retryAfter):
            return transient(.delete, retryAfter: retryAfter, code: code, audit: .deleteFailed)
        case .partnerLevel(let reason):
            return block(reason, code: code, audit: .deleteFailed)
        case .customerLevel, .alreadyExists, .notFound:
            // `.notFound` is handled as a success before this; a 409 on DELETE makes no sense to retry.
            lastErrorCode = code
            state = consentRemoved ? .missing : .failed
            return finish(.failed(errorCode: code, failure: .customer), audit: [.deleteFailed])
        }
    }

    private mutating func posted() -> ConsentStep {
        state = .granted
        grantSetVersion = targetVersion
        consentRemoved = false
        lastErrorCode = nil
        return finish(.succeeded(grantSetVersion: targetVersion), audit: [.postSucceeded])
    }

    private mutating func postFailed(_ kind: PartnerCenterFailureKind, code: String) -> ConsentStep {
        if case .alreadyExists = kind {
            return conflict(code: code)
        }
        // The DELETE went through, so whatever happens next the customer has no consent now.
        state = .missing
        switch kind {
        case .throttled(let retryAfter):
            return throttled(.post, retryAfter: retryAfter, audit: .postFailed)
        case .transient(let retryAfter):
            return transient(.post, retryAfter: retryAfter, code: code, audit: .postFailed)
        case .partnerLevel(let reason):
            return block(reason, code: code, audit: .postFailed)
        case .customerLevel, .notFound, .alreadyExists:
            lastErrorCode = code
            return finish(.failed(errorCode: code, failure: .customer), audit: [.postFailed])
        }
    }

    private mutating func conflict(code: String) -> ConsentStep {
        // A permission entry exists after all: the customer is not without consent.
        consentRemoved = false
        guard pairReruns < Self.maxPairReruns else {
            lastErrorCode = code
            state = .failed
            return finish(.failed(errorCode: code, failure: .customer), audit: [.postConflict, .gaveUp])
        }
        pairReruns += 1
        resetCallCounters()
        step = .deleting
        return ConsentStep(action: .call(.delete), audit: [.postConflict, .pairRerun, .deleteRequested], state: state)
    }

    private mutating func tokenFailed(_ reason: TokenFailureReason, code: String) -> ConsentStep {
        let call: ConsentCall = step == .posting ? .post : .delete
        guard reason.isRetryable else {
            return block(reason, code: code, audit: .tokenFailed)
        }
        if call == .post { state = .missing }
        return transient(call, retryAfter: nil, code: code, audit: .tokenFailed)
    }

    private mutating func throttled(_ call: ConsentCall, retryAfter: Double?, audit: ConsentAuditAction) -> ConsentStep {
        consecutiveThrottles += 1
        return ConsentStep(
            action: .retry(call, after: .throttled(retryAfter: retryAfter, consecutive: consecutiveThrottles)),
            audit: [audit, .throttled], state: state)
    }

    private mutating func transient(
        _ call: ConsentCall, retryAfter: Double?, code: String, audit: ConsentAuditAction
    ) -> ConsentStep {
        failedAttempts += 1
        consecutiveThrottles = 0
        lastErrorCode = code
        guard failedAttempts < maxAttempts else {
            // Nothing was removed by a failed DELETE: the customer keeps what it had before the task.
            if call == .delete { state = consentRemoved ? .missing : stateBeforeTask }
            return finish(.failed(errorCode: code, failure: .transient), audit: [audit, .gaveUp])
        }
        return ConsentStep(
            action: .retry(call, after: .backoff(attempt: failedAttempts, retryAfter: retryAfter)),
            audit: [audit, .retryScheduled], state: state)
    }

    private mutating func block(_ reason: TokenFailureReason, code: String, audit: ConsentAuditAction) -> ConsentStep {
        lastErrorCode = code
        state = consentRemoved ? .missing : .blocked
        return finish(.blocked(reason), audit: [audit, .blocked])
    }

    private mutating func finish(_ outcome: ConsentTaskOutcome, audit: [ConsentAuditAction]) -> ConsentStep {
        step = .finished
        return ConsentStep(action: .finish(outcome), audit: audit, state: state)
    }

    private mutating func resetCallCounters() {
        failedAttempts = 0
        consecutiveThrottles = 0
    }
}
