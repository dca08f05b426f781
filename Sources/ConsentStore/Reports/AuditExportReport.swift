import Foundation
import Logging
import PostgresNIO

/// `audit-export`: audit events with `since <= occurred_at < until`, in chain order, handed to
/// `body` one row at a time. PostgresNIO's row stream has back-pressure: the query advances only as
/// fast as the caller consumes, so millions of rows never sit in memory.
///
/// Index: `audit_events_time_seq (occurred_at, seq)` (migration 0006) gives the range in order
/// without a sort.
public enum AuditExportReport {
    static let columnDecoders: [ReportColumn] = [
        .integer("seq"), .timestamp("occurred_at"), .text("actor"), .text("action"), .uuid("partner_id"), .integer("customer_id"),
        .uuid("run_id"), .integer("task_id"), .text("http_method"), .text("url_path"), .integer("response_status"),
        .uuid("ms_request_id"), .uuid("ms_correlation_id"), .text("error_code"), .integer("duration_ms"), .text("details"),
        .text("hash"),
    ]

    public static var columns: [String] { columnDecoders.map(\.name) }

    /// - Parameter deadline: the statement's `statement_timeout`, which counts the time spent
    ///   waiting for a slow reader too (the stream's back-pressure holds the statement open).
    public static func stream(
        since: Date?, until: Date?, deadline: Duration, client: PostgresClient, logger: Logger, body: ([ReportCell]) async throws -> Void
    ) async throws {
        let milliseconds = String(deadline.components.seconds * 1_000 + deadline.components.attoseconds / 1_000_000_000_000_000)
        try await client.inTransaction(logger: logger) { connection in
            try await connection.query("SELECT set_config('statement_timeout', \(milliseconds), true)", logger: logger)
            let rows = try await connection.query(
                """
                SELECT seq, occurred_at, actor, action, partner_id, customer_id, run_id, task_id, http_method, url_path,
                       response_status::bigint AS response_status, ms_request_id, ms_correlation_id, error_code,
                       duration_ms::bigint AS duration_ms, details::text AS details, encode(hash, 'hex') AS hash
                FROM audit_events
                WHERE occurred_at >= COALESCE(\(since)::timestamptz, '-infinity')
                  AND occurred_at < COALESCE(\(until)::timestamptz, 'infinity')
                ORDER BY occurred_at, seq
                """, logger: logger)
            for try await row in rows {
                let access = row.makeRandomAccess()
                try await body(try columnDecoders.map { try $0.cell(access) })
            }
        }
    }
}
