import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Appends events to the keyed audit chain (docs/audit.md).
///
/// Inside the transaction that changes the state an event describes: take the chain head's row
/// lock, hash the events in Swift with the current key of `CPV_AUDIT_KEYS`, insert them and move
/// the head, so the state change and its events commit together or not at all. The lock is held
/// until that commit; keep such transactions short. Two round trips inside the caller's
/// transaction (lock and read the head; insert and move it), whatever the number of events.
public struct AuditWriter: Sendable {
    public let keys: AuditKeyRing

    public init(keys: AuditKeyRing) {
        self.keys = keys
    }

    /// An event whose JSON is canonical and whose encoding is computed, ready to be chained.
    /// Preparing happens before the head is locked, so the lock covers only the HMAC and the insert.
    public struct Prepared: Sendable {
        let record: AuditRecord
        let key: AuditKeyRing.Key
        let content: [UInt8]
    }

    /// The chain head, read under its row lock: where the next event goes.
    struct Head: Sendable {
        let seq: Int64
        let hash: [UInt8]
        /// The time given to the events appended now: the database clock, never before the last event's.
        let occurredAt: AuditTimestamp
    }

    public func prepare(_ records: [AuditRecord]) throws -> [Prepared] {
        let key = keys.current
        return try records.map { record in
            var canonical = record
            do {
                canonical.requestBody = try record.requestBody.map(CanonicalJSON.canonical)
                canonical.details = try record.details.map(CanonicalJSON.canonical)
            } catch {
                throw AuditWriteError.malformedJSON(action: record.action)
            }
            return Prepared(record: canonical, key: key, content: AuditDigest.content(canonical, keyID: key.id))
        }
    }

    /// Appends `record` inside the caller's transaction and returns its position.
    @discardableResult
    public func append(_ record: AuditRecord, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await append([record], on: connection, logger: logger)[0]
    }

    /// Appends `records` in order inside the caller's transaction and returns their positions.
    @discardableResult
    public func append(_ records: [AuditRecord], on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        guard !records.isEmpty else { return [] }
        let prepared = try prepare(records)
        var lock = StatementBuilder()
        Self.lockHead(into: &lock)
        let head = try await Self.head(try await connection.query(lock.query, logger: logger))
        var insert = StatementBuilder()
        let positions = chain(prepared, after: head, into: &insert)
        try await connection.query(insert.query, logger: logger)
        return positions
    }

    /// Appends `record` in a transaction of its own.
    @discardableResult
    public func append(_ record: AuditRecord, client: PostgresClient, logger: Logger) async throws -> Int64 {
        try await client.inTransaction(logger: logger) { connection in
            try await append(record, on: connection, logger: logger)
        }
    }

    /// The statement that locks and reads the head. With `afterCTEs`, the statement being built
    /// already holds `WITH <cte> AS (...), ...`, whose rows are written before the lock is taken:
    /// the uncorrelated sub-select in the WHERE clause is a one-time filter, evaluated before the
    /// head row is fetched. That keeps the lock order of every writer the same (the writer's own
    /// rows and their counter triggers first, the chain head last), so no two writers deadlock.
    static func lockHead(into statement: inout StatementBuilder, afterCTEs: [String] = []) {
        statement.text(
            """
            SELECT h.last_seq, h.last_hash, clock_timestamp() AS now,
                   (SELECT e.occurred_at FROM audit_events e WHERE e.seq = h.last_seq) AS last_at
            FROM audit_chain_head h
            WHERE h.singleton
            """)
        for cte in afterCTEs { statement.text(" AND (SELECT count(*) FROM \(cte)) >= 0") }
        statement.text(" FOR UPDATE OF h")
    }

    static func head(_ rows: PostgresRowSequence) async throws -> Head {
        for try await row in rows {
            let cells = NamedRow(row)
            let now: AuditTimestamp = try cells("now")
            let lastAt: AuditTimestamp? = try cells("last_at")
            return Head(seq: try cells("last_seq"), hash: Array(try cells("last_hash", as: Data.self)), occurredAt: max(now, lastAt ?? now))
        }
        // Someone deleted the head: appending would start a second chain that hides the first.
        throw AuditWriteError.chainHeadMissing
    }

    /// Builds the statement that inserts `prepared` after `head` and moves the head to the last of
    /// them; returns their positions.
    func chain(_ prepared: [Prepared], after head: Head, into statement: inout StatementBuilder) -> [Int64] {
        var previous = head.hash
        var seq = head.seq
        var positions: [Int64] = []
        statement.text(
            """
            WITH inserted AS (
                INSERT INTO audit_events (
                    seq, occurred_at, actor, action, partner_id, customer_id, run_id, task_id, http_method, url_path,
                    request_body, response_status, response_body, ms_request_id, ms_correlation_id, error_code,
                    duration_ms, details, key_id, prev_hash, hash)
                VALUES
            """)
        for (index, event) in prepared.enumerated() {
            seq += 1
            let hash = AuditDigest.keyed(key: event.key.material, previous: previous, seq: seq, occurredAt: head.occurredAt, content: event.content)
            let record = event.record
            let values = [
                statement.bind(seq) + "::bigint", statement.bind(head.occurredAt) + "::timestamptz",
                statement.bind(record.actor) + "::text", statement.bind(record.action) + "::text",
                statement.bind(record.partnerID) + "::uuid", statement.bind(record.customerID) + "::bigint",
                statement.bind(record.runID) + "::uuid", statement.bind(record.taskID) + "::bigint",
                statement.bind(record.httpMethod) + "::text", statement.bind(record.urlPath) + "::text",
                statement.bind(record.requestBody) + "::jsonb", statement.bind(record.responseStatus) + "::integer",
                statement.bind(record.responseBody) + "::text", statement.bind(record.msRequestID) + "::uuid",
                statement.bind(record.msCorrelationID) + "::uuid", statement.bind(record.errorCode) + "::text",
                statement.bind(record.durationMilliseconds) + "::integer", statement.bind(record.details) + "::jsonb",
                statement.bind(event.key.id) + "::text", statement.bind(ByteBuffer(bytes: previous)) + "::bytea", statement.bind(ByteBuffer(bytes: hash)) + "::bytea",
            ]
            statement.text((index > 0 ? ",\n" : "") + "(" + values.joined(separator: ", ") + ")")
            positions.append(seq)
            previous = hash
        }
        let lastSeq = statement.bind(seq), lastHash = statement.bind(ByteBuffer(bytes: previous))
        statement.text(
            """

                RETURNING seq
            )
            UPDATE audit_chain_head SET last_seq = \(lastSeq)::bigint, last_hash = \(lastHash)::bytea
            WHERE singleton AND (SELECT count(*) FROM inserted) >= 0
            """)
        return positions
    }
}

/// Why an audit event could not be appended. Carries no event content.
public enum AuditWriteError: Error, Equatable, CustomStringConvertible {
    /// `audit_chain_head` has no row: the chain was tampered with; nothing more is appended.
    case chainHeadMissing
    /// A JSON column of the event (`request_body`, `details`) is not valid JSON.
    case malformedJSON(action: String)

    public var description: String {
        switch self {
        case .chainHeadMissing: return "the audit chain head is missing (audit_chain_head has no row): the trail was tampered with"
        case .malformedJSON(let action): return "an audit event (\(action)) carries malformed JSON"
        }
    }
}
