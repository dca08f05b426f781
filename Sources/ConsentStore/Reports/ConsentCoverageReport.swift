import Logging
import PostgresNIO

/// `consent-coverage`: per partner, its present customers by consent state and the share granted
/// on the current (highest) grant set version.
///
/// Indexes: `customers_partner_listed (partner_id, last_seen_at) WHERE removed_at IS NULL`
/// (migration 0003) finds each partner's present customers; `customer_consents_pkey` joins their
/// state; `customer_consents_state_version` (0006) covers the state/version aggregate.
public enum ConsentCoverageReport {
    public static func run(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "consent-coverage",
            """
            WITH current AS (SELECT max(version) AS version FROM grant_sets)
            SELECT p.id AS partner_id, p.display_name AS partner_name, p.status AS partner_status,
                   current.version::bigint AS current_grant_set_version,
                   count(c.id) AS customers,
                   count(c.id) FILTER (WHERE cc.state = 'granted') AS granted,
                   count(c.id) FILTER (WHERE cc.state = 'granted' AND cc.grant_set_version = current.version) AS granted_current,
                   count(c.id) FILTER (WHERE cc.state IS NULL OR cc.state = 'unknown') AS unknown,
                   count(c.id) FILTER (WHERE cc.state = 'granting') AS granting,
                   count(c.id) FILTER (WHERE cc.state = 'failed') AS failed,
                   count(c.id) FILTER (WHERE cc.state = 'missing') AS missing,
                   count(c.id) FILTER (WHERE cc.state = 'blocked') AS blocked,
                   count(c.id) FILTER (WHERE cc.state = 'revoked') AS revoked,
                   round(100.0 * count(c.id) FILTER (WHERE cc.state = 'granted' AND cc.grant_set_version = current.version)
                         / NULLIF(count(c.id), 0), 1)::float8 AS percent_granted_current
            FROM partners p
            CROSS JOIN current
            LEFT JOIN customers c ON c.partner_id = p.id AND c.removed_at IS NULL
            LEFT JOIN customer_consents cc ON cc.customer_id = c.id
            GROUP BY p.id, p.display_name, p.status, current.version
            ORDER BY p.display_name, p.id
            """,
            columns: [
                .uuid("partner_id"), .text("partner_name"), .text("partner_status"), .integer("current_grant_set_version"),
                .integer("customers"), .integer("granted"), .integer("granted_current"), .integer("unknown"),
                .integer("granting"), .integer("failed"), .integer("missing"), .integer("blocked"), .integer("revoked"),
                .decimal("percent_granted_current"),
            ], logger: logger)
    }
}
