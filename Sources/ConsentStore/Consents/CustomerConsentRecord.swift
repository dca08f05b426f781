import ConsentDomain
import Foundation

/// A customer's row in `customer_consents`: the consent as we last observed it.
public struct CustomerConsentRecord: Sendable, Equatable {
    public var customerID: Int64
    public var state: ConsentState
    public var grantSetVersion: Int?
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    public var lastErrorCode: String?
    public var lastError: String?
    public var attempts: Int
    public var lastCorrelationID: UUID?
}

/// A change to a customer's consent row, written together with its audit events.
public struct ConsentStateChange: Sendable, Equatable {
    public var state: ConsentState
    public var grantSetVersion: Int?
    public var errorCode: String?
    public var error: String?
    /// A task starts: `attempts` grows and `last_attempt_at` is set.
    public var startsAttempt: Bool
    /// The consent was granted (or revoked) as asked: `last_success_at` is set.
    public var succeeded: Bool
    public var correlationID: UUID?

    public init(
        state: ConsentState, grantSetVersion: Int?, errorCode: String? = nil, error: String? = nil,
        startsAttempt: Bool = false, succeeded: Bool = false, correlationID: UUID? = nil
    ) {
        self.state = state
        self.grantSetVersion = grantSetVersion
        self.errorCode = errorCode
        self.error = error
        self.startsAttempt = startsAttempt
        self.succeeded = succeeded
        self.correlationID = correlationID
    }
}

/// One customer's state change (if any) and the audit events that explain it, written together.
public struct ConsentWrite: Sendable {
    public var customerID: Int64
    public var change: ConsentStateChange?
    public var audit: [AuditRecord]
    /// A Graph reading of the tenant (reconcile), stored in `consent_verifications` in the same
    /// transaction as the events that report it.
    public var verification: VerificationWrite?

    public init(customerID: Int64, change: ConsentStateChange?, audit: [AuditRecord], verification: VerificationWrite? = nil) {
        self.customerID = customerID
        self.change = change
        self.audit = audit
        self.verification = verification
    }
}
