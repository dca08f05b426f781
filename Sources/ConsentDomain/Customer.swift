import Foundation

/// A customer tenant of one partner, as last listed by Partner Center. Never deleted: a customer
/// that disappears from the list gets `removedAt`.
public struct Customer: Sendable, Equatable, Codable, Identifiable {
    public var id: Int64
    public var partnerID: UUID
    public var tenantID: TenantID
    public var companyName: String
    public var domain: String?
    /// Partner Center's `relationshipToPartner` (e.g. `reseller`), kept as text because its values vary.
    public var relationship: String?
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var removedAt: Date?

    public init(
        id: Int64, partnerID: UUID, tenantID: TenantID, companyName: String, domain: String? = nil,
        relationship: String? = nil, firstSeenAt: Date, lastSeenAt: Date, removedAt: Date? = nil
    ) {
        self.id = id
        self.partnerID = partnerID
        self.tenantID = tenantID
        self.companyName = companyName
        self.domain = domain
        self.relationship = relationship
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.removedAt = removedAt
    }

    /// Whether Partner Center still lists this customer.
    public var isListed: Bool { removedAt == nil }
}
