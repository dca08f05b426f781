/// What kind of failure ended a task: it decides whether the task is tried again, and where an
/// operator looks. Every failed task carries one (`run_tasks.failure_class`).
public enum FailureClass: String, Sendable, Codable, CaseIterable {
    /// Partner Center or the network did not answer well (5xx, timeout, refused connection), or
    /// throttled until the grantor gave up: the task is tried again later with backoff.
    case transient
    /// Permanent for this customer (400, 403, 404 and other 4xx, a 409 that a rerun did not clear):
    /// the task fails at once; trying again would only spend budget.
    case customer
    /// The partner's credentials cannot make the call for any customer (dead or revoked refresh
    /// token, MFA required, Conditional Access): the partner's tasks stop until it consents again.
    case partner
    /// Our own side (database, a bug): tried again later.
    case `internal`

    /// Whether another attempt of the task may help.
    public var isRetryable: Bool { self == .transient || self == .internal }
}
