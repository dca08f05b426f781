import Foundation

/// Why a re-grant could not start. Once a task has started, every end is an outcome, not an error.
public enum ConsentGrantorError: Error, Sendable, Equatable, CustomStringConvertible {
    case customerNotFound(Int64)
    /// Partner Center no longer lists the customer: nothing to grant there.
    case customerRemoved(Int64)
    case partnerNotFound(UUID)
    /// Staff switched the partner off: no calls are made for it.
    case partnerDisabled(UUID)
    /// No grant set was published yet.
    case noGrantSet
    /// The state machine rejected its own next step: a bug, reported rather than looped on.
    case unexpectedStep(String)
    /// A reconcile task in a process built without a Graph reader: a wiring bug.
    case noReader

    public var code: String {
        switch self {
        case .customerNotFound: "customer_not_found"
        case .customerRemoved: "customer_removed"
        case .partnerNotFound: "partner_not_found"
        case .partnerDisabled: "partner_disabled"
        case .noGrantSet: "no_grant_set"
        case .unexpectedStep, .noReader: "internal_error"
        }
    }

    public var description: String {
        switch self {
        case .customerNotFound(let id): "no customer \(id)"
        case .customerRemoved(let id): "customer \(id) is no longer listed by Partner Center"
        case .partnerNotFound(let id): "no partner \(id.guidText)"
        case .partnerDisabled(let id): "partner \(id.guidText) is disabled"
        case .noGrantSet: "no grant set has been published yet"
        case .unexpectedStep(let step): "the consent task reached an unexpected step: \(step)"
        case .noReader: "this process cannot read tenants through Graph (no consent reader configured)"
        }
    }
}
