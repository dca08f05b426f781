import Foundation

/// What one customer sync of one partner did.
public struct CustomerSyncSummary: Sendable, Equatable, Codable {
    public var partnerID: UUID
    public var added = 0
    public var updated = 0
    public var removed = 0
    public var pages = 0
    /// Listed customers skipped because their tenant id is not a GUID.
    public var skipped = 0
    /// 429s waited out.
    public var throttled = 0
    /// Server errors (5xx, 408) retried.
    public var serverErrors = 0
    public var durationMilliseconds = 0
    /// False when Partner Center refused a continuation (400 code 2000) before the list's own end:
    /// the listing stopped there, and nobody was marked removed because the rest was never seen.
    public var listingComplete = true

    public init(partnerID: UUID) {
        self.partnerID = partnerID
    }
}

/// Why a customer sync stopped before the end of the list (nothing is marked removed then).
public enum CustomerSyncError: Error, Sendable, Equatable, CustomStringConvertible {
    case partnerNotFound(UUID)
    /// The partner is not `active`: there is no usable token to list with.
    case partnerNotActive(UUID, status: String)
    /// No Partner Center token could be had.
    case token(code: String, reason: String)
    /// Partner Center refused or failed the listing.
    case partnerCenter(status: Int, code: String)
    case unreachable(String)
    case malformedResponse(status: Int)

    public var code: String {
        switch self {
        case .partnerNotFound: "partner_not_found"
        case .partnerNotActive: "partner_not_active"
        case .token: "partner_token_failed"
        case .partnerCenter: "partner_center_failed"
        case .unreachable: "partner_center_unreachable"
        case .malformedResponse: "partner_center_malformed_response"
        }
    }

    public var description: String {
        switch self {
        case .partnerNotFound(let id): "no partner \(id.guidText)"
        case .partnerNotActive(let id, let status): "partner \(id.guidText) is \(status), not active: it must consent first"
        case .token(let code, let reason): "no Partner Center token for the partner: \(reason) (\(code))"
        case .partnerCenter(let status, let code): "Partner Center answered \(status) (code \(code)) while listing customers"
        case .unreachable(let reason): "Partner Center unreachable while listing customers: \(reason)"
        case .malformedResponse(let status): "Partner Center answered \(status) with an unreadable customer page"
        }
    }
}
