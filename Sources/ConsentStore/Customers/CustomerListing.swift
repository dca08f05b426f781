import ConsentDomain

/// One customer as a listing (Partner Center's `/v1/customers`) reports it: what an upsert writes.
public struct CustomerListing: Sendable, Equatable {
    public var tenantID: TenantID
    public var companyName: String
    public var domain: String?
    public var relationship: String?

    public init(tenantID: TenantID, companyName: String, domain: String? = nil, relationship: String? = nil) {
        self.tenantID = tenantID
        self.companyName = companyName
        self.domain = domain
        self.relationship = relationship
    }
}

/// What one upserted page changed.
public struct CustomerUpsertCounts: Sendable, Equatable {
    public var added: Int
    public var updated: Int

    public init(added: Int = 0, updated: Int = 0) {
        self.added = added
        self.updated = updated
    }
}
