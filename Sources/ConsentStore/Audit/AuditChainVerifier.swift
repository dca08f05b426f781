import Foundation
import Logging
import PostgresNIO

/// Walks the audit chain in order and reports the first broken link.
///
/// Every hash is recomputed here, in Swift, from the row's columns (`AuditDigest`): nothing the
/// database computes is trusted, so a replaced function or a disabled trigger cannot make a
/// rewritten row look intact. Keyed events need their key from `CPV_AUDIT_KEYS`; the unkeyed events
/// written before migration 0010 are accepted only before the first keyed one. Positions must be
/// gap-free and end at the chain head, whose absence is itself a break. Streams: memory stays flat
/// for millions of rows.
public enum AuditChainVerifier {
    public struct Report: Sendable, Equatable {
        public let checkedEvents: Int64
        public let lastSeq: Int64
        /// The hash of event `lastSeq` (hex): record it outside the database now and then; a later
        /// report whose chain no longer holds it shows a trail cut back to an earlier event.
        public let lastHash: String
        /// Events from before the chain was keyed (migration 0010), verified as plain SHA-256.
        public let unkeyedEvents: Int64
        /// nil when the chain is intact.
        public let firstBreak: Break?

        public var isIntact: Bool { firstBreak == nil }
    }

    public struct Break: Sendable, Equatable {
        public let seq: Int64
        public let reason: String
    }

    static let columns = """
        seq, occurred_at, actor, action, partner_id, customer_id, run_id, task_id, http_method, url_path,
        request_body::text AS request_body, response_status, response_body, ms_request_id, ms_correlation_id, error_code,
        duration_ms, details::text AS details, key_id, prev_hash, hash
        """

    /// - Parameter expectedUnkeyedEvents: how many events predate the keyed chain
    ///   (`CPV_AUDIT_UNKEYED_EVENTS`). Without it, a database owner could rewrite the whole trail as
    ///   unkeyed events; with it, a different count is a break.
    public static func verify(
        client: PostgresClient, keys: AuditKeyRing, expectedUnkeyedEvents: Int64? = nil, logger: Logger
    ) async throws -> Report {
        try await client.withConnection { connection in
            // One snapshot for the rows and the head: appends committed during a long walk must
            // not make the head look ahead of the last row read.
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            do {
                let report = try await walk(connection, keys: keys, expectedUnkeyedEvents: expectedUnkeyedEvents, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                return report
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    static func walk(
        _ connection: PostgresConnection, keys: AuditKeyRing, expectedUnkeyedEvents: Int64?, logger: Logger
    ) async throws -> Report {
        var walk = Walk(keys: keys)
        let report = { (failure: Break?) in
            Report(
                checkedEvents: walk.checked, lastSeq: walk.expectedSeq - 1,
                lastHash: walk.expectedPrevious.map { String(format: "%02x", $0) }.joined(), unkeyedEvents: walk.unkeyed,
                firstBreak: failure)
        }
        let rows = try await connection.query("SELECT \(unescaped: columns) FROM audit_events ORDER BY seq", logger: logger)
        for try await row in rows {
            if let failure = try walk.check(row.makeRandomAccess()) { return report(failure) }
        }
        let headRows = try await connection.query("SELECT last_seq, last_hash FROM audit_chain_head", logger: logger)
        var head: (Int64, Data)?
        for try await row in headRows {
            let cells = NamedRow(row)
            head = (try cells("last_seq"), try cells("last_hash"))
        }
        let lastSeq = walk.expectedSeq - 1
        if let expectedUnkeyedEvents, walk.unkeyed != expectedUnkeyedEvents {
            return report(
                Break(
                    seq: min(walk.unkeyed, expectedUnkeyedEvents) + 1,
                    reason: "\(walk.unkeyed) events carry no audit key, but CPV_AUDIT_UNKEYED_EVENTS says \(expectedUnkeyedEvents)"))
        }
        guard let head else {
            return report(Break(seq: walk.expectedSeq, reason: "the chain head is missing: events after \(lastSeq) cannot be ruled out"))
        }
        if head.0 != lastSeq {
            return report(Break(seq: walk.expectedSeq, reason: "events after \(lastSeq) are missing (the chain head is at \(head.0))"))
        }
        if Array(head.1) != walk.expectedPrevious {
            return report(Break(seq: lastSeq, reason: "the chain head does not match event \(lastSeq)"))
        }
        return report(nil)
    }

    /// The walk's state between rows.
    struct Walk {
        let keys: AuditKeyRing
        var expectedPrevious: [UInt8] = []
        var expectedSeq: Int64 = 1
        var checked: Int64 = 0
        var unkeyed: Int64 = 0
        var keyedSeen = false

        mutating func check(_ row: PostgresRandomAccessRow) throws -> Break? {
            let seq = try row["seq"].decode(Int64.self)
            if seq != expectedSeq {
                return Break(seq: expectedSeq, reason: "event \(expectedSeq) is missing (next present is \(seq))")
            }
            let previous = Array(try row["prev_hash"].decode(Data.self))
            if previous != expectedPrevious {
                return Break(seq: seq, reason: "event \(seq) does not chain to event \(seq - 1)")
            }
            let occurredAt = try row["occurred_at"].decode(AuditTimestamp.self)
            let record = try Self.record(row)
            let recomputed: [UInt8]
            if let keyID = try row["key_id"].decode(String?.self) {
                guard let key = keys.key(id: keyID) else {
                    return Break(seq: seq, reason: "event \(seq) was written with audit key \(keyID), which is not configured (CPV_AUDIT_KEYS)")
                }
                keyedSeen = true
                var canonical = record
                do {
                    canonical.requestBody = try record.requestBody.map(CanonicalJSON.canonical)
                    canonical.details = try record.details.map(CanonicalJSON.canonical)
                } catch {
                    return Break(seq: seq, reason: "event \(seq) was changed after it was written")
                }
                recomputed = AuditDigest.keyed(
                    key: key.material, previous: previous, seq: seq, occurredAt: occurredAt,
                    content: AuditDigest.content(canonical, keyID: keyID))
            } else {
                if keyedSeen {
                    return Break(seq: seq, reason: "event \(seq) carries no audit key after keyed events: it was not written by the service")
                }
                unkeyed += 1
                recomputed = AuditDigest.legacy(previous: previous, seq: seq, occurredAt: occurredAt, record: record)
            }
            let stored = Array(try row["hash"].decode(Data.self))
            if recomputed != stored {
                return Break(seq: seq, reason: "event \(seq) was changed after it was written")
            }
            expectedPrevious = stored
            expectedSeq = seq + 1
            checked += 1
            return nil
        }

        /// The row's columns as a record, exactly as stored (no truncation or other clean-up).
        static func record(_ row: PostgresRandomAccessRow) throws -> AuditRecord {
            var record = AuditRecord(actor: try row["actor"].decode(String.self), action: try row["action"].decode(String.self))
            record.partnerID = try row["partner_id"].decode(UUID?.self)
            record.customerID = try row["customer_id"].decode(Int64?.self)
            record.runID = try row["run_id"].decode(UUID?.self)
            record.taskID = try row["task_id"].decode(Int64?.self)
            record.httpMethod = try row["http_method"].decode(String?.self)
            record.urlPath = try row["url_path"].decode(String?.self)
            record.requestBody = try row["request_body"].decode(String?.self)
            record.responseStatus = try row["response_status"].decode(Int32?.self).map(Int.init)
            record.responseBody = try row["response_body"].decode(String?.self)
            record.msRequestID = try row["ms_request_id"].decode(UUID?.self)
            record.msCorrelationID = try row["ms_correlation_id"].decode(UUID?.self)
            record.errorCode = try row["error_code"].decode(String?.self)
            record.durationMilliseconds = try row["duration_ms"].decode(Int32?.self).map(Int.init)
            record.details = try row["details"].decode(String?.self)
            return record
        }
    }
}
