import Logging
import PostgresNIO

/// `failures`: present customers in state `failed`, grouped by the Partner Center / AADSTS error
/// code, with counts, how many partners are affected, and the most recent example.
///
/// Index: `customer_consents_failed (last_error_code, last_attempt_at) WHERE state = 'failed'`
/// (migration 0006): only failed rows, grouped by code.
public enum FailuresReport {
    public static func run(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "failures",
            """
            SELECT COALESCE(cc.last_error_code, 'unknown') AS error_code,
                   count(*) AS customers,
                   count(DISTINCT c.partner_id) AS partners,
                   (array_agg(c.id ORDER BY cc.last_attempt_at DESC NULLS LAST, c.id))[1] AS example_customer_id,
                   (array_agg(c.company_name ORDER BY cc.last_attempt_at DESC NULLS LAST, c.id))[1] AS example_company_name,
                   (array_agg(cc.last_error ORDER BY cc.last_attempt_at DESC NULLS LAST, c.id))[1] AS example_error,
                   max(cc.last_attempt_at) AS last_failed_at
            FROM customer_consents cc
            JOIN customers c ON c.id = cc.customer_id AND c.removed_at IS NULL
            WHERE cc.state = 'failed'
            GROUP BY COALESCE(cc.last_error_code, 'unknown')
            ORDER BY customers DESC, error_code
            """,
            columns: [
                .text("error_code"), .integer("customers"), .integer("partners"), .integer("example_customer_id"),
                .text("example_company_name"), .text("example_error"), .timestamp("last_failed_at"),
            ], logger: logger)
    }
}
