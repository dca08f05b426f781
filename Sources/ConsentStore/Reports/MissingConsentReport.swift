import Logging
import PostgresNIO

/// `missing-consent`: present customers whose consent was deleted and not re-created (state
/// `missing`, see docs/grants.md) — the ones with nothing in place right now. Oldest attempt first,
/// at most `limit` rows (`GET /api/v1/customers?state=missing` pages through all).
///
/// Index: `customer_consents_missing (last_attempt_at, customer_id) WHERE state = 'missing'`
/// (migration 0006): the partial index holds only these rows, already in report order.
public enum MissingConsentReport {
    /// A screenful: more rows than a page shows serve nobody (the customers API pages through all).
    public static let defaultLimit = 100

    public static func run(limit: Int = defaultLimit, client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "missing-consent",
            """
            SELECT c.id AS customer_id, c.partner_id, p.display_name AS partner_name, c.tenant_id, c.company_name,
                   cc.grant_set_version::bigint AS grant_set_version, cc.last_attempt_at, cc.last_error_code, cc.last_error
            FROM customer_consents cc
            JOIN customers c ON c.id = cc.customer_id AND c.removed_at IS NULL
            JOIN partners p ON p.id = c.partner_id
            WHERE cc.state = 'missing'
            ORDER BY cc.last_attempt_at NULLS FIRST, cc.customer_id
            LIMIT \(Int64(limit))
            """,
            columns: [
                .integer("customer_id"), .uuid("partner_id"), .text("partner_name"), .uuid("tenant_id"), .text("company_name"),
                .integer("grant_set_version"), .timestamp("last_attempt_at"), .text("last_error_code"), .text("last_error"),
            ], logger: logger)
    }
}
