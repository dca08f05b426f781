import ConsentDomain
import Foundation

/// One Partner Center call the grantor made, as the outcome reports it.
public struct ConsentCallReport: Sendable, Equatable {
    public var call: ConsentCall
    /// nil when no answer came (timeout, refused connection).
    public var status: Int?
    public var errorCode: String?
    public var requestID: UUID
    public var correlationID: UUID
    public var durationMilliseconds: Int
}

/// How a re-grant of one customer ended.
public struct ConsentGrantOutcome: Sendable, Equatable {
    /// The task's end: succeeded, failed or blocked.
    public enum Result: String, Sendable, Equatable, Codable {
        case succeeded
        case failed
        case blocked
    }

    public var customerID: Int64
    public var result: Result
    /// The customer's consent state as stored at the end.
    public var state: ConsentState
    public var grantSetVersion: Int?
    /// Partner Center's error code (or `timeout`, `unreachable`, an AADSTS code) when it did not succeed.
    public var errorCode: String?
    /// Every call made, in order, retries included.
    public var calls: [ConsentCallReport]
    /// The Graph check after a grant, when asked for.
    public var verification: GrantVerification?
    /// What kind of failure ended it (nil when it succeeded).
    public var failure: FailureClass?
    /// The last failed call in words (`POST answered 400 (code 600…): …`), for the task's `last_error`.
    public var reason: String?
    /// Time spent waiting for slots in the shared budget.
    public var slotWait: Duration = .zero
    /// A reconcile's reading of the tenant before any call (nil for grant and revoke tasks).
    public var reconciled: ConsentVerification?
    /// Wait at least this long before trying the task again (a Graph 429's Retry-After).
    public var retryAfter: TimeInterval?
    /// Graph reads the task made (reconcile).
    public var graphReads = 0
}
