import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Customers of each partner, as last listed by Partner Center. Rows are never deleted: a customer
/// that stops being listed gets `removed_at`, and gets it cleared if it comes back.
public struct CustomerRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// The database's clock at the start of a sync. Every row a later page upserts gets a
    /// `last_seen_at` after it, so `markRemoved(partnerID:notSeenSince:)` finds exactly the rows
    /// this sync did not see. Taken from the database so application and database clocks cannot disagree.
    public func syncStartTime(logger: Logger) async throws -> Date {
        let rows = try await client.query("SELECT now()", logger: logger)
        for try await now in rows.decode(Date.self) { return now }
        throw CustomerStoreError.noClock
    }

    /// Inserts or updates one page of a partner's customers in one set-based statement, and creates
    /// the `customer_consents` row (state `unknown`) of every new customer alongside.
    ///
    /// A tenant listed twice in the page is written once (the last listing wins): PostgreSQL refuses
    /// an upsert that touches one row twice.
    public func upsertPage(partnerID: UUID, customers: [CustomerListing], logger: Logger) async throws -> CustomerUpsertCounts {
        var seen = Set<TenantID>()
        let unique = customers.reversed().filter { seen.insert($0.tenantID).inserted }
        guard !unique.isEmpty else { return CustomerUpsertCounts() }
        // Arrays of optionals do not encode; empty text stands for NULL and NULLIF restores it.
        let tenantIDs = unique.map(\.tenantID.uuid)
        let names = unique.map(\.companyName)
        let domains = unique.map { $0.domain ?? "" }
        let relationships = unique.map { $0.relationship ?? "" }
        let rows = try await client.query(
            """
            WITH page AS (
                SELECT * FROM unnest(\(tenantIDs)::uuid[], \(names)::text[], \(domains)::text[], \(relationships)::text[])
                    AS listed (tenant_id, company_name, domain, relationship)
            ), upserted AS (
                INSERT INTO customers (partner_id, tenant_id, company_name, domain, relationship, first_seen_at, last_seen_at)
                SELECT \(partnerID), tenant_id, company_name, NULLIF(domain, ''), NULLIF(relationship, ''), now(), now()
                FROM page
                ON CONFLICT (partner_id, tenant_id) DO UPDATE SET
                    company_name = EXCLUDED.company_name, domain = EXCLUDED.domain,
                    relationship = EXCLUDED.relationship, last_seen_at = EXCLUDED.last_seen_at, removed_at = NULL
                RETURNING id, (xmax = 0) AS inserted
            ), consents AS (
                INSERT INTO customer_consents (customer_id)
                SELECT id FROM upserted WHERE inserted
                ON CONFLICT (customer_id) DO NOTHING
            )
            SELECT count(*) FILTER (WHERE inserted) AS added, count(*) FILTER (WHERE NOT inserted) AS updated FROM upserted
            """, logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            return CustomerUpsertCounts(added: Int(try cells("added", as: Int64.self)), updated: Int(try cells("updated", as: Int64.self)))
        }
        return CustomerUpsertCounts()
    }

    /// Marks the partner's listed customers not seen since `notSeenSince` as removed; returns how many.
    /// Call only after a complete listing: a sync cut short would mark customers it never reached.
    public func markRemoved(partnerID: UUID, notSeenSince: Date, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE customers SET removed_at = now()
            WHERE partner_id = \(partnerID) AND removed_at IS NULL AND last_seen_at < \(notSeenSince)
            RETURNING id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    public func customer(id: Int64, logger: Logger) async throws -> Customer? {
        let rows = try await client.query(
            "SELECT \(unescaped: CustomerRow.columns) FROM customers WHERE id = \(id)", logger: logger)
        for try await row in rows { return try CustomerRow.customer(NamedRow(row)) }
        return nil
    }

    public func customer(partnerID: UUID, tenantID: TenantID, logger: Logger) async throws -> Customer? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: CustomerRow.columns) FROM customers
            WHERE partner_id = \(partnerID) AND tenant_id = \(tenantID.uuid)
            """, logger: logger)
        for try await row in rows { return try CustomerRow.customer(NamedRow(row)) }
        return nil
    }

    /// Every customer row with this tenant id: one per partner that lists it (normally one).
    public func customers(tenantID: TenantID, logger: Logger) async throws -> [Customer] {
        let rows = try await client.query(
            "SELECT \(unescaped: CustomerRow.columns) FROM customers WHERE tenant_id = \(tenantID.uuid) ORDER BY id",
            logger: logger)
        var customers: [Customer] = []
        for try await row in rows { customers.append(try CustomerRow.customer(NamedRow(row))) }
        return customers
    }

    /// How many customers the partner has: listed ones, or all including removed.
    public func count(partnerID: UUID, includingRemoved: Bool = false, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*) FROM customers
            WHERE partner_id = \(partnerID) AND (\(includingRemoved) OR removed_at IS NULL)
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}

/// Why a customer operation was refused by the store.
public enum CustomerStoreError: Error, Equatable, CustomStringConvertible {
    case noClock

    public var description: String {
        switch self {
        case .noClock: return "the database did not report its clock"
        }
    }
}
