import Logging
import PostgresNIO

/// `failures`: present customers in state `failed`, grouped by the Partner Center / AADSTS error
/// code, with counts, how many partners are affected, and the most recent example.
///
/// Counts come from `consent_coverage_counts` (migration 0008, kept by triggers: grouping every
/// failed customer on each request does not fit the report's 200 ms budget at a million
/// customers). Each code's example is the first present customer of
/// `customer_consents_failed_latest (last_error_code, last_attempt_at DESC NULLS LAST, customer_id)
/// WHERE state = 'failed'` (0008), read in order; a customer without a code counts as `unknown`.
public enum FailuresReport {
    public static func run(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "failures",
            """
            WITH codes AS (
                SELECT k.error_code AS code, sum(k.customers)::bigint AS customers,
                       count(DISTINCT k.partner_id) AS partners
                FROM consent_coverage_counts k
                WHERE k.state = 'failed' AND k.customers > 0
                GROUP BY k.error_code
            )
            SELECT CASE WHEN codes.code = '' THEN 'unknown' ELSE codes.code END AS error_code,
                   codes.customers, codes.partners,
                   coalesce(example.customer_id, uncoded.customer_id) AS example_customer_id,
                   coalesce(example.company_name, uncoded.company_name) AS example_company_name,
                   coalesce(example.last_error, uncoded.last_error) AS example_error,
                   coalesce(example.last_attempt_at, uncoded.last_attempt_at) AS last_failed_at
            FROM codes
            LEFT JOIN LATERAL (
                SELECT c.id AS customer_id, c.company_name, cc.last_error, cc.last_attempt_at
                FROM customer_consents cc
                JOIN customers c ON c.id = cc.customer_id AND c.removed_at IS NULL
                WHERE cc.state = 'failed' AND cc.last_error_code = codes.code
                ORDER BY cc.last_error_code, cc.last_attempt_at DESC NULLS LAST, cc.customer_id
                LIMIT 1
            ) example ON codes.code <> ''
            LEFT JOIN LATERAL (
                SELECT c.id AS customer_id, c.company_name, cc.last_error, cc.last_attempt_at
                FROM customer_consents cc
                JOIN customers c ON c.id = cc.customer_id AND c.removed_at IS NULL
                WHERE cc.state = 'failed' AND cc.last_error_code IS NULL
                ORDER BY cc.last_error_code, cc.last_attempt_at DESC NULLS LAST, cc.customer_id
                LIMIT 1
            ) uncoded ON codes.code = ''
            ORDER BY codes.customers DESC, error_code
            """,
            columns: [
                .text("error_code"), .integer("customers"), .integer("partners"), .integer("example_customer_id"),
                .text("example_company_name"), .text("example_error"), .timestamp("last_failed_at"),
            ], logger: logger)
    }
}
