import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Everything a consent task reads before its first call: the customer, its partner, the current
/// grant set and the customer's stored consent.
public struct GrantContext: Sendable, Equatable {
    public var customer: Customer
    public var partner: Partner?
    public var grantSet: GrantSet?
    public var consent: CustomerConsentRecord?
}

/// Reads a `GrantContext` in one statement. A re-grant run reads one per customer, and as four
/// queries they were four of the dozen round trips a customer cost (the orchestrator's ceiling is
/// bound by round trips: most of its CPU is spent waking threads for them).
public struct GrantContextQuery: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Nil when there is no such customer (removed customers are returned: the caller decides).
    public func context(customerID: Int64, logger: Logger) async throws -> GrantContext? {
        // Each part keeps its repository's own column list, so the decoders below are theirs too.
        let rows = try await client.query(
            """
            SELECT c.*, p.*, g.*, cc.* FROM
                (SELECT \(unescaped: CustomerRow.columns) FROM customers WHERE id = \(customerID)) c
                LEFT JOIN LATERAL (SELECT \(unescaped: PartnerRow.columns) FROM partners WHERE id = c.partner_id) p ON true
                LEFT JOIN LATERAL (SELECT \(unescaped: GrantSetRepository.columns) FROM grant_sets ORDER BY version DESC LIMIT 1) g ON true
                LEFT JOIN LATERAL (SELECT \(unescaped: ConsentStateRepository.columns) FROM customer_consents WHERE customer_id = c.id) cc ON true
            """, logger: logger)
        for try await row in rows { return try Self.context(row.makeRandomAccess()) }
        return nil
    }

    /// Columns: customer 0–8, partner 9–21, grant set 22–27, consent 28–36 (a part is absent when
    /// its first column is NULL).
    static func context(_ row: PostgresRandomAccessRow) throws -> GrantContext {
        func cell<T: PostgresDecodable>(_ index: Int) throws -> T { try row[index].decode(T.self) }
        let customer: CustomerRow.Tuple = (
            try cell(0), try cell(1), try cell(2), try cell(3), try cell(4), try cell(5), try cell(6), try cell(7), try cell(8))
        var context = GrantContext(customer: CustomerRow.customer(customer), partner: nil, grantSet: nil, consent: nil)
        if row[9].bytes != nil {
            let partner: PartnerRow.Tuple = (
                try cell(9), try cell(10), try cell(11), try cell(12), try cell(13), try cell(14), try cell(15),
                try cell(16), try cell(17), try cell(18), try cell(19), try cell(20), try cell(21))
            context.partner = try PartnerRow.partner(partner)
        }
        if row[22].bytes != nil {
            let grantSet: GrantSetRepository.Tuple = (try cell(22), try cell(23), try cell(24), try cell(25), try cell(26), try cell(27))
            context.grantSet = try GrantSetRepository.grantSet(grantSet)
        }
        if row[28].bytes != nil {
            let consent: ConsentStateRepository.Tuple = (
                try cell(28), try cell(29), try cell(30), try cell(31), try cell(32), try cell(33), try cell(34),
                try cell(35), try cell(36))
            context.consent = try ConsentStateRepository.record(consent)
        }
        return context
    }
}
