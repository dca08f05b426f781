import Foundation

/// Something that happened to a customer's consent task, fed to `ConsentStateMachine.handle(_:)`.
public enum ConsentEvent: Sendable, Equatable {
    /// A worker starts (or, after a crash, restarts) the task. `grantSetVersion` is the version a
    /// grant applies; nil for a revoke.
    case taskStarted(RunAction, grantSetVersion: Int?)
    /// `DELETE …/applicationconsents/{appId}` succeeded.
    case deleteSucceeded
    /// The DELETE failed. `.notFound` means there was no consent to delete, which is as good as a success.
    case deleteFailed(PartnerCenterFailureKind, errorCode: String)
    /// `POST …/applicationconsents` succeeded (201).
    case postSucceeded
    /// The POST failed.
    case postFailed(PartnerCenterFailureKind, errorCode: String)
    /// No partner token could be had for the next call (`errorCode` such as `AADSTS700082`).
    case tokenFailed(TokenFailureReason, errorCode: String)

    /// The DELETE failed as `failure` says.
    public static func deleteFailed(_ failure: PartnerCenterFailure, tokenWasFresh: Bool = true) -> ConsentEvent {
        .deleteFailed(failure.classify(tokenWasFresh: tokenWasFresh), errorCode: failure.errorCode)
    }

    /// The POST failed as `failure` says.
    public static func postFailed(_ failure: PartnerCenterFailure, tokenWasFresh: Bool = true) -> ConsentEvent {
        .postFailed(failure.classify(tokenWasFresh: tokenWasFresh), errorCode: failure.errorCode)
    }

    /// The error code recorded for a call that timed out without any response.
    public static let timeoutErrorCode = "timeout"
}

/// One of the two Partner Center calls of a consent task.
public enum ConsentCall: String, Sendable, Codable, CaseIterable {
    case delete
    case post
}

/// How long to wait before retrying a call; the grantor turns it into a delay with `BackoffPolicy`.
public enum ConsentRetryWait: Sendable, Equatable {
    /// After the `attempt`-th counted failure of this call, honouring `retryAfter` if the server sent one.
    case backoff(attempt: Int, retryAfter: TimeInterval?)
    /// After a 429: not counted as an attempt. `consecutive` 429s without a `Retry-After` back off
    /// exponentially on that count.
    case throttled(retryAfter: TimeInterval?, consecutive: Int)
}

/// How a task ended, and the `run_tasks.status` it leaves.
public enum ConsentTaskOutcome: Sendable, Equatable {
    /// Granted (with that grant set version) or revoked.
    case succeeded(grantSetVersion: Int?)
    /// Gave up for this customer, with the error code to record and what kind of failure it was:
    /// `.customer` (permanent: the task fails at once) or `.transient` (retries ran out: the task
    /// may be tried again later).
    case failed(errorCode: String, failure: FailureClass)
    /// The partner's credentials stopped it: the task waits for the partner to consent again.
    case blocked(TokenFailureReason)

    public var taskStatus: RunTaskStatus {
        switch self {
        case .succeeded: .succeeded
        case .failed: .failed
        case .blocked: .blocked
        }
    }
}

/// What the grantor must do next.
public enum ConsentAction: Sendable, Equatable {
    /// Make this call now, as a new request (fresh `MS-RequestId`).
    case call(ConsentCall)
    /// Make this call again after the wait, reusing the failed request's `MS-RequestId`.
    case retry(ConsentCall, after: ConsentRetryWait)
    /// The task is over.
    case finish(ConsentTaskOutcome)
    /// The event does not fit the task's current step (a duplicate or late report); nothing to do.
    case ignore
}

/// The audit actions the consent task appends (`audit_events.action`). The grantor adds the call's
/// details (status, error code, request ids, duration) to each.
public enum ConsentAuditAction: String, Sendable, Codable, CaseIterable {
    case deleteRequested = "consent.delete.requested"
    case deleteSucceeded = "consent.delete.succeeded"
    case deleteNotFound = "consent.delete.not_found"
    case deleteFailed = "consent.delete.failed"
    /// Appended by the lease rescuer for a `requested` left without an outcome.
    case deleteAbandoned = "consent.delete.abandoned"
    case postRequested = "consent.post.requested"
    case postSucceeded = "consent.post.succeeded"
    case postConflict = "consent.post.conflict"
    case postFailed = "consent.post.failed"
    /// Appended by the lease rescuer for a `requested` left without an outcome.
    case postAbandoned = "consent.post.abandoned"
    case pairRerun = "consent.pair.rerun"
    case tokenFailed = "consent.token.failed"
    case retryScheduled = "consent.retry.scheduled"
    case throttled = "consent.throttled"
    case gaveUp = "consent.gave_up"
    case blocked = "consent.blocked"
}

/// The result of one event: the action to take, the audit actions to append first (in order),
/// and the consent state to store.
public struct ConsentStep: Sendable, Equatable {
    public let action: ConsentAction
    public let audit: [ConsentAuditAction]
    public let state: ConsentState

    public init(action: ConsentAction, audit: [ConsentAuditAction], state: ConsentState) {
        self.action = action
        self.audit = audit
        self.state = state
    }
}
