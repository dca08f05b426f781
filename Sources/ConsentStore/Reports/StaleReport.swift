import Logging
import PostgresNIO

/// `stale`: present customers whose last successful grant is older than `days` days, or was made
/// with an older grant set than the current (highest) version. Oldest success first, at most
/// `limit` rows (at a million customers half of them can be stale: the report shows the most
/// urgent, `GET /api/v1/customers` pages through all).
///
/// Index: `customer_consents_success (last_success_at, customer_id) WHERE last_success_at IS NOT NULL`
/// (migration 0006) for the age test; the older-grant-set arm uses `customer_consents_state_version`.
public enum StaleReport {
    public static let defaultDays = 30
    /// A screenful: more rows than a page shows serve nobody (the customers API pages through all).
    public static let defaultLimit = 100

    public static func run(days: Int, limit: Int = defaultLimit, client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "stale",
            """
            WITH current AS (SELECT max(version) AS version FROM grant_sets)
            SELECT c.id AS customer_id, c.partner_id, c.company_name, cc.state,
                   cc.grant_set_version::bigint AS grant_set_version, current.version::bigint AS current_grant_set_version,
                   cc.last_success_at,
                   floor(extract(epoch FROM now() - cc.last_success_at) / 86400)::bigint AS days_since_success,
                   CASE WHEN cc.grant_set_version < current.version THEN 'older_grant_set' ELSE 'old_success' END AS reason
            FROM customer_consents cc
            CROSS JOIN current
            JOIN customers c ON c.id = cc.customer_id AND c.removed_at IS NULL
            WHERE cc.last_success_at IS NOT NULL
              AND (cc.last_success_at < now() - make_interval(days => \(days)::integer) OR cc.grant_set_version < current.version)
            ORDER BY cc.last_success_at, cc.customer_id
            LIMIT \(Int64(limit))
            """,
            columns: [
                .integer("customer_id"), .uuid("partner_id"), .text("company_name"), .text("state"), .integer("grant_set_version"),
                .integer("current_grant_set_version"), .timestamp("last_success_at"), .integer("days_since_success"),
                .text("reason"),
            ], logger: logger)
    }
}
