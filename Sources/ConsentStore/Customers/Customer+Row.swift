import ConsentDomain
import Foundation

/// The columns of `customers` that make a `Customer`, in the order `CustomerRow.customer` reads them.
enum CustomerRow {
    static let columns = """
        id, partner_id, tenant_id, company_name, domain, relationship, first_seen_at, last_seen_at, removed_at
        """

    typealias Tuple = (Int64, UUID, UUID, String, String?, String?, Date, Date, Date?)

    static func customer(_ row: Tuple) -> Customer {
        Customer(
            id: row.0, partnerID: row.1, tenantID: TenantID(row.2), companyName: row.3, domain: row.4,
            relationship: row.5, firstSeenAt: row.6, lastSeenAt: row.7, removedAt: row.8)
    }
}
