import Logging
import PostgresNIO

/// `consent-coverage`: per partner, its present customers by consent state and the share granted
/// on the current (highest) grant set version.
///
/// Reads `consent_coverage_counts` (migration 0008): present customers per partner, state and
/// grant set version, kept by statement triggers on `customers` and `customer_consents` — counting
/// a million customers on every request does not fit the report's 200 ms budget. Customers without
/// a consent row are counted there as `unknown`.
public enum ConsentCoverageReport {
    public static func run(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "consent-coverage",
            """
            WITH current AS (SELECT max(version) AS version FROM grant_sets)
            SELECT p.id AS partner_id, p.display_name AS partner_name, p.status AS partner_status,
                   current.version::bigint AS current_grant_set_version,
                   coalesce(sum(k.customers), 0)::bigint AS customers,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'granted'), 0)::bigint AS granted,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'granted' AND k.grant_set_version = current.version), 0)::bigint
                       AS granted_current,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'unknown'), 0)::bigint AS unknown,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'granting'), 0)::bigint AS granting,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'failed'), 0)::bigint AS failed,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'missing'), 0)::bigint AS missing,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'blocked'), 0)::bigint AS blocked,
                   coalesce(sum(k.customers) FILTER (WHERE k.state = 'revoked'), 0)::bigint AS revoked,
                   round(100.0 * coalesce(sum(k.customers) FILTER (WHERE k.state = 'granted' AND k.grant_set_version = current.version), 0)
                         / NULLIF(sum(k.customers), 0), 1)::float8 AS percent_granted_current
            FROM partners p
            CROSS JOIN current
            LEFT JOIN consent_coverage_counts k ON k.partner_id = p.id AND k.customers <> 0
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
