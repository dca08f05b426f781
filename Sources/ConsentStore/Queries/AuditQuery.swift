import Foundation
import Logging
import PostgresNIO

/// Filters of `GET /api/v1/audit`; all optional, combined with AND.
public struct AuditFilter: Sendable, Equatable {
    public var partnerID: UUID?
    public var customerID: Int64?
    public var runID: UUID?
    public var action: String?
    public var since: Date?
    public var until: Date?
    /// Keyset: only events with a seq lower than this (newest first).
    public var beforeSeq: Int64?
    public var limit: Int

    public init(
        partnerID: UUID? = nil, customerID: Int64? = nil, runID: UUID? = nil, action: String? = nil, since: Date? = nil,
        until: Date? = nil, beforeSeq: Int64? = nil, limit: Int = 100
    ) {
        self.partnerID = partnerID
        self.customerID = customerID
        self.runID = runID
        self.action = action
        self.since = since
        self.until = until
        self.beforeSeq = beforeSeq
        self.limit = limit
    }
}

/// One audit event as the API shows it (no hashes: `/audit/verify` checks those).
public struct AuditEventSummary: Sendable, Equatable {
    public let seq: Int64
    public let occurredAt: Date
    public let actor: String
    public let action: String
    public let partnerID: UUID?
    public let customerID: Int64?
    public let runID: UUID?
    public let taskID: Int64?
    public let httpMethod: String?
    public let urlPath: String?
    public let responseStatus: Int?
    public let msRequestID: UUID?
    public let msCorrelationID: UUID?
    public let errorCode: String?
    public let durationMilliseconds: Int?
    public let details: String?
}

/// Audit search, newest first by seq with keyset pagination.
///
/// Indexes: the `(customer_id, seq)`, `(partner_id, seq)`, `(run_id, seq)` and `(action, seq)`
/// partial indexes of migration 0002 answer "newest N for X" by a backward index scan; a time
/// range alone uses `audit_events_time`.
public struct AuditQuery: Sendable {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func search(_ filter: AuditFilter, logger: Logger) async throws -> [AuditEventSummary] {
        let rows = try await client.query(
            """
            SELECT seq, occurred_at, actor, action, partner_id, customer_id, run_id, task_id, http_method, url_path,
                   response_status, ms_request_id, ms_correlation_id, error_code, duration_ms, details::text AS details
            FROM audit_events
            WHERE seq < \(filter.beforeSeq ?? Int64.max)
              AND (\(filter.partnerID)::uuid IS NULL OR partner_id = \(filter.partnerID)::uuid)
              AND (\(filter.customerID)::bigint IS NULL OR customer_id = \(filter.customerID)::bigint)
              AND (\(filter.runID)::uuid IS NULL OR run_id = \(filter.runID)::uuid)
              AND (\(filter.action)::text IS NULL OR action = \(filter.action)::text)
              AND (\(filter.since)::timestamptz IS NULL OR occurred_at >= \(filter.since)::timestamptz)
              AND (\(filter.until)::timestamptz IS NULL OR occurred_at < \(filter.until)::timestamptz)
            ORDER BY seq DESC
            LIMIT \(filter.limit)
            """, logger: logger)
        var events: [AuditEventSummary] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            events.append(
                AuditEventSummary(
                    seq: try r["seq"].decode(Int64.self), occurredAt: try r["occurred_at"].decode(Date.self),
                    actor: try r["actor"].decode(String.self), action: try r["action"].decode(String.self),
                    partnerID: try r["partner_id"].decode(UUID?.self), customerID: try r["customer_id"].decode(Int64?.self),
                    runID: try r["run_id"].decode(UUID?.self), taskID: try r["task_id"].decode(Int64?.self),
                    httpMethod: try r["http_method"].decode(String?.self), urlPath: try r["url_path"].decode(String?.self),
                    responseStatus: try r["response_status"].decode(Int?.self),
                    msRequestID: try r["ms_request_id"].decode(UUID?.self),
                    msCorrelationID: try r["ms_correlation_id"].decode(UUID?.self),
                    errorCode: try r["error_code"].decode(String?.self),
                    durationMilliseconds: try r["duration_ms"].decode(Int?.self), details: try r["details"].decode(String?.self)))
        }
        return events
    }
}
