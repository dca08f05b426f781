import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud

/// One run of the consent state machine for one customer: makes the calls it asks for, waits the
/// delays it asks for, and writes each step's state and audit events.
struct ConsentTask {
    /// What a task uses, handed over by the grantor that starts it; the task never reaches back.
    struct Dependencies: Sendable {
        let partners: PartnerRepository
        /// Every state change and audit event goes through it (group commit across tasks).
        let writes: ConsentWriteBatcher
        let tokens: PartnerTokenProvider
        let partnerCenter: PartnerCenterClient
        let configuration: ConsentGrantor.Configuration
        let metrics: FlowMetrics
    }

    let uses: Dependencies
    let partner: Partner
    let customer: Customer
    let grantSet: GrantSet
    /// `.grant` runs DELETE then POST; `.revoke` the DELETE alone.
    let action: RunAction
    let payload: String
    let trail: ConsentAuditTrail
    var machine: ConsentStateMachine
    let logger: Logger

    private(set) var correlationID = UUID()
    private var current: ConsentCallAttempt?
    private var reports: [ConsentCallReport] = []
    /// Set once a 401 made us drop the cached token: a second 401 then means the partner's grant
    /// is unusable, not that the cached token went stale.
    private var renewedToken = false
    /// The last failure came from Partner Center (not the token provider, which records its own).
    private var partnerCenterBlocked = false
    /// The last failed call, in words, for the task's `last_error`.
    private var lastFailure: String?
    /// Time spent waiting for budget slots, which the worker leaves out of a task's service time.
    private(set) var slotWait: Duration = .zero

    init(
        uses: Dependencies, partner: Partner, customer: Customer, grantSet: GrantSet, action: RunAction = .grant,
        payload: String, trail: ConsentAuditTrail, machine: ConsentStateMachine, logger: Logger
    ) {
        self.action = action
        self.uses = uses
        self.partner = partner
        self.customer = customer
        self.grantSet = grantSet
        self.payload = payload
        self.trail = trail
        self.machine = machine
        self.logger = logger
    }

    mutating func run() async throws -> ConsentGrantOutcome {
        var step = machine.handle(.taskStarted(action, grantSetVersion: grantSet.version))
        var first = true
        var last: ConsentCallAttempt?
        var extra: [String: String] = [:]
        while true {
            let next: ConsentCallAttempt
            var wait: Duration?
            switch step.action {
            case .call(let call):
                if call == .delete { correlationID = UUID() }
                next = attempt(call, ids: .init(correlationID: correlationID), counted: 0)
            case .retry(let call, let after):
                guard let previous = current, previous.call == call else {
                    throw ConsentGrantorError.unexpectedStep("retry of \(call.rawValue) without a call")
                }
                let delay = delay(after)
                wait = delay
                extra["call"] = call.rawValue
                extra["delayMs"] = String(delay.wholeMilliseconds)
                next = attempt(call, ids: previous.ids, counted: machine.failedAttempts)
            case .finish(let outcome):
                return try await finish(outcome, step: step, last: last, startsAttempt: first)
            case .ignore:
                throw ConsentGrantorError.unexpectedStep("ignored event in step \(machine.step.rawValue)")
            }
            // The step's write goes out with the next call's `*.requested` event (one statement
            // instead of two), unless a retry delay comes first: then the state shows the wait.
            var write: StepWrite? = stepWrite(step, last: last, startsAttempt: first, extra: extra)
            first = false
            extra = [:]
            if let wait, let pending = write {
                try await apply(pending)
                write = nil
                try await Task.sleep(for: wait)
            }
            current = next
            let (event, made) = try await perform(next, after: write)
            last = made
            step = machine.handle(event)
            if case .tokenFailed(let reason, _) = event { extra["reason"] = reason.rawValue }
        }
    }

    private func attempt(_ call: ConsentCall, ids: PartnerCenterClient.CallIDs, counted: Int) -> ConsentCallAttempt {
        let tenant = customer.tenantID.description
        let path = call == .delete
            ? "/v1/customers/\(tenant)/applicationconsents/\(grantSet.applicationID)"
            : "/v1/customers/\(tenant)/applicationconsents"
        return ConsentCallAttempt(call: call, ids: ids, attempt: counted, urlPath: path, payload: call == .post ? payload : nil)
    }

    /// Gets a token, writes the previous step (`pending`) with `*.requested`, waits for the call's
    /// slot in the shared budget, makes the call and tells the budget how it was answered. Returns
    /// the event for the machine and, when a call went out, the attempt with its answer (nil when
    /// no token could be had).
    ///
    /// The slot comes after the write, right before the call: anything between a slot and its
    /// request (a group-commit wait of a few milliseconds) would bunch calls that were scheduled
    /// apart, and Partner Center counts requests as they arrive.
    private mutating func perform(_ attempt: ConsentCallAttempt, after pending: StepWrite?) async throws -> (ConsentEvent, ConsentCallAttempt?) {
        let token: Secret<String>
        do {
            token = try await partnerCenterToken()
        } catch {
            logger.warning("no Partner Center token for the consent task", metadata: ["cpv.error": "\(error)"])
            if let pending { try await apply(pending) }
            return (.tokenFailed(error.reason, errorCode: error.code), nil)
        }
        try await uses.writes.apply(
            customerID: customer.id, change: pending?.change, audit: (pending?.records ?? []) + [trail.requested(attempt)],
            logger: logger)
        let gate = uses.configuration.gate
        let admission = try await gate?.admit(logger: logger)
        if let admission {
            slotWait += admission.waited
            uses.metrics.slotWait.record(duration: admission.waited)
        }
        var made = attempt
        let profile = uses.tokens.profile(for: partner)
        let tenant = customer.tenantID.description
        let started = ContinuousClock.now
        let answer: (PartnerCenterClient.CallResult, PartnerCenterFailure?)
        do {
            switch attempt.call {
            case .delete:
                answer = try await uses.partnerCenter.deleteConsent(
                    profile: profile, accessToken: token, customerTenantID: tenant,
                    applicationID: grantSet.applicationID.description, ids: attempt.ids, logger: logger)
            case .post:
                answer = try await uses.partnerCenter.createConsent(
                    profile: profile, accessToken: token, customerTenantID: tenant, payload: payload, ids: attempt.ids,
                    logger: logger)
            }
        } catch {
            let elapsed = ContinuousClock.now - started
            made.durationMilliseconds = elapsed.wholeMilliseconds
            let code = Self.transportCode(error)
            made.errorCode = code
            reports.append(made.report)
            observe(made, status: nil, retryAfter: nil, latency: elapsed, admission: admission, transportCode: code)
            if let gate, let admission {
                await gate.answered(admission, status: nil, retryAfter: nil, latency: elapsed, logger: logger)
            }
            lastFailure = "\(attempt.httpMethod) got no answer (\(code))"
            return (failed(attempt.call, .transient(retryAfter: nil), code: code), made)
        }
        let (result, failure) = answer
        made.status = result.status
        made.responseBody = result.body.isEmpty ? nil : result.body
        made.durationMilliseconds = result.duration.wholeMilliseconds
        made.errorCode = failure?.errorCode
        reports.append(made.report)
        observe(made, status: result.status, retryAfter: failure?.retryAfter, latency: result.duration, admission: admission)
        if let gate, let admission {
            await gate.answered(admission, status: result.status, retryAfter: failure?.retryAfter, latency: result.duration, logger: logger)
        }
        guard let failure else {
            return (attempt.call == .delete ? .deleteSucceeded : .postSucceeded, made)
        }
        lastFailure = Self.reason(attempt, failure)
        return (await classified(attempt.call, failure), made)
    }

    /// Counts the call in the metrics.
    private func observe(
        _ made: ConsentCallAttempt, status: Int?, retryAfter: TimeInterval?, latency: Duration, admission: ConsentAdmission?,
        transportCode: String? = nil
    ) {
        let metrics = uses.metrics
        metrics.consentCalls(method: made.httpMethod, outcome: ConsentCallOutcome(status: status, call: made.call, transportCode: transportCode))
            .increment()
        metrics.consentLatency(method: made.httpMethod).record(duration: latency)
        if status == 429 { metrics.consentThrottled(method: made.httpMethod).increment() }
    }

    /// One line an operator can act on: the call, Partner Center's status and code, and its words
    /// (at most 300 characters; Partner Center's descriptions carry no secrets).
    static func reason(_ attempt: ConsentCallAttempt, _ failure: PartnerCenterFailure) -> String {
        var text = "\(attempt.httpMethod) answered \(failure.status)"
        if let code = failure.code { text += " (code \(code))" }
        if let description = failure.description?.trimmingCharacters(in: .whitespacesAndNewlines), !description.isEmpty {
            text += ": " + (description.count > 300 ? String(description.prefix(299)) + "…" : description)
        }
        return text
    }

    private func partnerCenterToken() async throws(PartnerTokenError) -> Secret<String> {
        // A partner already waiting for re-consent has no usable token: do not ask Entra again.
        guard partner.status == .active else {
            throw PartnerTokenError(
                reason: .partnerMustReconsent, code: "partner_\(partner.status.rawValue)",
                message: "the partner is \(partner.status.rawValue): an admin must consent again")
        }
        return try await uses.tokens.partnerCenterToken(for: partner, logger: logger)
    }

    private mutating func classified(_ call: ConsentCall, _ failure: PartnerCenterFailure) async -> ConsentEvent {
        var tokenWasFresh = true
        if failure.status == 401 && !renewedToken {
            // The cached token may have been revoked or expired early: one more try with a new one.
            renewedToken = true
            tokenWasFresh = false
            await uses.tokens.forget(partnerID: partner.id)
        }
        // A 429 is the budget's business too (`ConsentCallGate.answered`); the task itself waits
        // at least its Retry-After before trying again.
        var kind = failure.classify(tokenWasFresh: tokenWasFresh)
        if case .throttled(let retryAfter) = kind, machine.consecutiveThrottles >= uses.configuration.maxConsecutiveThrottles {
            kind = .transient(retryAfter: retryAfter)
        }
        if case .partnerLevel = kind { partnerCenterBlocked = true }
        return failed(call, kind, code: failure.errorCode)
    }

    private func failed(_ call: ConsentCall, _ kind: PartnerCenterFailureKind, code: String) -> ConsentEvent {
        call == .delete ? .deleteFailed(kind, errorCode: code) : .postFailed(kind, errorCode: code)
    }

    private func delay(_ wait: ConsentRetryWait) -> Duration {
        let policy = uses.configuration.backoff
        let seconds: TimeInterval = switch wait {
        case .backoff(let attempt, let retryAfter):
            policy.delay(attempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0..<1))
        case .throttled(let retryAfter, let consecutive):
            policy.delay(attempt: consecutive, retryAfter: retryAfter, random: Double.random(in: 0..<1))
        }
        return .milliseconds(Int((seconds * 1_000).rounded(.up)))
    }

    /// A step's state and the audit events explaining it, written together (one statement).
    struct StepWrite {
        let change: ConsentStateChange
        let records: [AuditRecord]
    }

    private func stepWrite(_ step: ConsentStep, last: ConsentCallAttempt?, startsAttempt: Bool, extra: [String: String]) -> StepWrite {
        let records = trail.records(
            for: step.audit, last: last, correlationID: correlationID, errorCode: machine.lastErrorCode, extra: extra)
        let change = ConsentStateChange(
            state: step.state, grantSetVersion: machine.grantSetVersion, errorCode: machine.lastErrorCode,
            startsAttempt: startsAttempt, succeeded: false, correlationID: correlationID)
        return StepWrite(change: change, records: records)
    }

    private func apply(_ write: StepWrite) async throws {
        try await uses.writes.apply(customerID: customer.id, change: write.change, audit: write.records, logger: logger)
    }

    private mutating func finish(
        _ outcome: ConsentTaskOutcome, step: ConsentStep, last: ConsentCallAttempt?, startsAttempt: Bool
    ) async throws -> ConsentGrantOutcome {
        var extra: [String: String] = [:]
        let result: ConsentGrantOutcome.Result
        var failure: FailureClass?
        switch outcome {
        case .succeeded: result = .succeeded
        case .failed(_, let kind):
            result = .failed
            failure = kind
        case .blocked(let reason):
            result = .blocked
            failure = .partner
            extra["reason"] = reason.rawValue
        }
        let records = trail.records(
            for: step.audit, last: last, correlationID: correlationID, errorCode: machine.lastErrorCode, extra: extra)
        let change = ConsentStateChange(
            state: step.state, grantSetVersion: machine.grantSetVersion, errorCode: machine.lastErrorCode,
            startsAttempt: startsAttempt, succeeded: result == .succeeded, correlationID: correlationID)
        try await uses.writes.apply(customerID: customer.id, change: change, audit: records, logger: logger)
        if case .blocked(let reason) = outcome, partnerCenterBlocked, reason.requiresPartnerReconsent {
            // Partner Center itself refused the partner's credentials: stop its other tasks too.
            try await uses.partners.recordTokenFailure(
                partnerID: partner.id, reason: reason, code: machine.lastErrorCode ?? "partner_center",
                message: "Partner Center refused the partner's token", actor: trail.actor, logger: logger)
            await uses.tokens.forget(partnerID: partner.id)
        }
        logger.debug("consent task finished", metadata: ["cpv.result": "\(result.rawValue)", "cpv.state": "\(step.state.rawValue)"])
        return ConsentGrantOutcome(
            customerID: customer.id, result: result, state: step.state, grantSetVersion: machine.grantSetVersion,
            errorCode: result == .succeeded ? nil : machine.lastErrorCode, calls: reports, verification: nil,
            failure: failure, reason: result == .succeeded ? nil : lastFailure, slotWait: slotWait)
    }

    /// `timeout` for a call that got no answer in time, `unreachable` for one that got no connection.
    static func transportCode(_ error: PartnerCenterCallError) -> String {
        switch error {
        case .transport(let reason) where reason.contains("timed out"): ConsentEvent.timeoutErrorCode
        case .transport: "unreachable"
        case .failed(let failure): failure.errorCode
        case .malformedResponse(let status): String(status)
        }
    }
}
