import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Everything a consent task reads before its first call: the customer, its partner, the current
/// grant set, the customer's stored consent and its last Graph reading.
public struct GrantContext: Sendable, Equatable {
    public var customer: Customer
    public var partner: Partner?
    public var grantSet: GrantSet?
    public var consent: CustomerConsentRecord?
    /// The customer's last Graph reading (reconcile), if it was ever read.
    public var verification: StoredVerification?
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
        for try await context in try await client.execute(Statement(customerID: customerID), logger: logger) {
            return context
        }
        return nil
    }

    /// Prepared once per connection: every consent task runs it, and its plan never changes.
    struct Statement: PostgresPreparedStatement {
        // Each part selects its repository's own columns (and is read by its decoder), under a
        // prefix: the four tables share column names such as `id` and `created_at`.
        static let sql = """
            SELECT \(GrantContextQuery.selectList) FROM
                (SELECT \(CustomerRow.columns) FROM customers WHERE id = $1) c
                LEFT JOIN LATERAL (SELECT \(PartnerRow.columns) FROM partners WHERE id = c.partner_id) p ON true
                LEFT JOIN LATERAL (SELECT \(GrantSetRepository.columns) FROM grant_sets ORDER BY version DESC LIMIT 1) g ON true
                LEFT JOIN LATERAL (SELECT \(ConsentStateRepository.columns) FROM customer_consents WHERE customer_id = c.id) cc ON true
                LEFT JOIN LATERAL (SELECT \(VerificationRow.columns) FROM consent_verifications WHERE customer_id = c.id) cv ON true
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8]

        var customerID: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(customerID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> GrantContext { try GrantContextQuery.context(NamedRow(row)) }
    }

    static let selectList = [
        CustomerRow.columnList.aliased(table: "c", prefix: "c_"),
        PartnerRow.columnList.aliased(table: "p", prefix: "p_"),
        GrantSetRepository.columnList.aliased(table: "g", prefix: "g_"),
        ConsentStateRepository.columnList.aliased(table: "cc", prefix: "cc_"),
        VerificationRow.columnList.aliased(table: "cv", prefix: "cv_"),
    ].joined(separator: ", ")

    /// A part is absent (its LEFT JOIN found nothing) when its key column is NULL.
    static func context(_ row: NamedRow) throws -> GrantContext {
        var context = GrantContext(
            customer: try CustomerRow.customer(row.prefixed("c_")), partner: nil, grantSet: nil, consent: nil, verification: nil)
        if try !row.isNull("p_id") { context.partner = try PartnerRow.partner(row.prefixed("p_")) }
        if try !row.isNull("g_version") { context.grantSet = try GrantSetRepository.grantSet(row.prefixed("g_")) }
        if try !row.isNull("cc_customer_id") { context.consent = try ConsentStateRepository.record(row.prefixed("cc_")) }
        if try !row.isNull("cv_customer_id") { context.verification = try VerificationRow.stored(row.prefixed("cv_")) }
        return context
    }
}
