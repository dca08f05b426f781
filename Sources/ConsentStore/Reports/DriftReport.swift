import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// `drift`: present customers whose last Graph reading (a reconcile) did not find the grant set:
/// drifted, missing or unknown, grouped by what differs (the same scopes missing or extra on the
/// same resources, or the same cause of a missing or unknown reading), largest group first, with
/// how many customers and partners each covers, when they were read, and a few customer ids to
/// start from. Unknown is listed as what it is, never folded into "fine" (issue #16).
///
/// Index: `consent_verifications_attention (state, checked_at DESC) WHERE state IN (...)` (migration 0014).
public enum DriftReport {
    public static let defaultLimit = 100
    /// Customer ids listed per group.
    static let samples = 5

    public static func run(limit: Int = defaultLimit, client: PostgresClient, logger: Logger) async throws -> ReportTable {
        var table = try await client.report(
            "drift",
            """
            SELECT cv.state, coalesce(cv.code, '') AS code, cv.resources::text AS difference,
                   count(*)::bigint AS customers, count(DISTINCT c.partner_id)::bigint AS partners,
                   min(cv.checked_at) AS first_checked_at, max(cv.checked_at) AS last_checked_at,
                   array_to_string((array_agg(c.id ORDER BY c.id))[1:\(Int64(samples))], ' ') AS sample_customer_ids
            FROM consent_verifications cv
            JOIN customers c ON c.id = cv.customer_id AND c.removed_at IS NULL
            WHERE cv.state IN ('drifted', 'missing', 'unknown')
            GROUP BY cv.state, cv.code, cv.resources
            ORDER BY count(*) DESC, cv.state, cv.resources::text
            LIMIT \(Int64(limit))
            """,
            columns: [
                .text("state"), .text("code"), .text("difference"), .integer("customers"), .integer("partners"),
                .timestamp("first_checked_at"), .timestamp("last_checked_at"), .text("sample_customer_ids"),
            ], logger: logger)
        // The stored JSON of the differences, as the line an operator reads ("…: missing Mail.Read").
        guard let position = table.columns.firstIndex(of: "difference") else { return table }
        for index in table.rows.indices {
            guard case .text(let json) = table.rows[index][position] else { continue }
            let resources = (try? JSONDecoder().decode([ResourceDifference].self, from: Data(json.utf8))) ?? []
            let summary = ConsentVerification(state: .drifted, checkedAt: Date(), resources: resources).summary.joined(separator: "; ")
            table.rows[index][position] = summary.isEmpty ? .null : .text(summary)
        }
        return table
    }
}
