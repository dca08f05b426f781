import ConsentDomain
import Foundation

/// The columns of `customers` that make a `Customer`.
enum CustomerRow {
    static let columnList = ColumnList(
        "id", "partner_id", "tenant_id", "company_name", "domain", "relationship", "first_seen_at", "last_seen_at",
        "removed_at")
    static let columns = columnList.sql

    static func customer(_ row: NamedRow) throws -> Customer {
        Customer(
            id: try row("id"), partnerID: try row("partner_id"), tenantID: TenantID(try row("tenant_id", as: UUID.self)),
            companyName: try row("company_name"), domain: try row("domain"), relationship: try row("relationship"),
            firstSeenAt: try row("first_seen_at"), lastSeenAt: try row("last_seen_at"), removedAt: try row("removed_at"))
    }
}
