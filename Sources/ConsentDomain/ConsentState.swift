/// A customer's consent as we last observed it, stored in `customer_consents.state`.
public enum ConsentState: String, Sendable, Codable, CaseIterable {
    /// Never touched by us: the customer may or may not have a consent.
    case unknown
    /// A grant task is working on it.
    case granting
    /// The newest DELETE+POST pair succeeded; `grant_set_version` says with which grants.
    case granted
    /// The last task failed without taking the consent away (see `last_error_code`).
    case failed
    /// The DELETE went through (or found nothing) and the POST did not: the customer has **no**
    /// consent at all. Retried first, shown red everywhere.
    case missing
    /// The partner's credentials stopped the task before anything was removed; resumes after re-consent.
    case blocked
    /// Removed on purpose by a revoke run.
    case revoked

    /// Customers in this state are scheduled before all others (`run_tasks.priority`).
    public var isUrgent: Bool { self == .missing }
}
