import Foundation
import Logging
import PostgresNIO

/// Walks the audit chain in order and reports the first broken link.
///
/// Each row's hash is recomputed in the database from its content (`audit_canonical`) and its
/// predecessor's hash; positions must be gap-free and end at the chain head. A row edited with the
/// trigger disabled, a row deleted, or a rewritten tail all show up. Streams: memory stays flat
/// for millions of rows.
public enum AuditChainVerifier {
    public struct Report: Sendable, Equatable {
        public let checkedEvents: Int64
        public let lastSeq: Int64
        /// nil when the chain is intact.
        public let firstBreak: Break?

        public var isIntact: Bool { firstBreak == nil }
    }

    public struct Break: Sendable, Equatable {
        public let seq: Int64
        public let reason: String
    }

    public static func verify(client: PostgresClient, logger: Logger) async throws -> Report {
        try await client.withConnection { connection in
            var expectedPrevious = Data()
            var expectedSeq: Int64 = 1
            var checked: Int64 = 0
            let rows = try await connection.query(
                """
                SELECT seq, prev_hash, hash, sha256(prev_hash || convert_to(audit_canonical(a), 'UTF8')) AS recomputed
                FROM audit_events a ORDER BY seq
                """, logger: logger)
            for try await (seq, previousHash, hash, recomputed) in rows.decode((Int64, Data, Data, Data).self) {
                if let failure = check(
                    seq: seq, previousHash: previousHash, hash: hash, recomputed: recomputed,
                    expectedSeq: expectedSeq, expectedPrevious: expectedPrevious)
                {
                    return Report(checkedEvents: checked, lastSeq: seq, firstBreak: failure)
                }
                expectedPrevious = hash
                expectedSeq = seq + 1
                checked += 1
            }
            let headRows = try await connection.query("SELECT last_seq, last_hash FROM audit_chain_head", logger: logger)
            var head: (Int64, Data)?
            for try await row in headRows.decode((Int64, Data).self) { head = row }
            if let head, head.0 != expectedSeq - 1 || head.1 != expectedPrevious {
                return Report(
                    checkedEvents: checked, lastSeq: expectedSeq - 1,
                    firstBreak: Break(seq: expectedSeq, reason: "events after \(expectedSeq - 1) are missing (the chain head is at \(head.0))"))
            }
            return Report(checkedEvents: checked, lastSeq: expectedSeq - 1, firstBreak: nil)
        }
    }

    static func check(
        seq: Int64, previousHash: Data, hash: Data, recomputed: Data, expectedSeq: Int64, expectedPrevious: Data
    ) -> Break? {
        if seq != expectedSeq {
            return Break(seq: expectedSeq, reason: "event \(expectedSeq) is missing (next present is \(seq))")
        }
        if previousHash != expectedPrevious {
            return Break(seq: seq, reason: "event \(seq) does not chain to event \(seq - 1)")
        }
        if recomputed != hash {
            return Break(seq: seq, reason: "event \(seq) was changed after it was written")
        }
        return nil
    }
}
