import Foundation
import Logging
import PostgresNIO

/// Appends events to the hash-chained audit trail through `audit_append()` (migration 0002).
///
/// Call it with the connection of the transaction that changes the state the event describes, so
/// that both commit or neither does. The chain head's row lock is held until that commit: keep
/// such transactions short.
public enum AuditWriter {
    @discardableResult
    public static func append(_ record: AuditRecord, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(query(record), logger: logger)
        guard let seq = try await rows.collect().first?.decode(Int64.self) else {
            throw AuditWriteError()
        }
        return seq
    }

    /// Appends outside any other transaction (the call is its own transaction).
    @discardableResult
    public static func append(_ record: AuditRecord, client: PostgresClient, logger: Logger) async throws -> Int64 {
        try await client.withConnection { connection in
            try await append(record, on: connection, logger: logger)
        }
    }

    static func query(_ record: AuditRecord) -> PostgresQuery {
        """
        SELECT audit_append(
            \(record.actor)::text, \(record.action)::text, \(record.partnerID)::uuid, \(record.customerID)::bigint,
            \(record.runID)::uuid, \(record.taskID)::bigint, \(record.httpMethod)::text, \(record.urlPath)::text,
            \(record.requestBody)::jsonb, \(record.responseStatus)::integer, \(record.responseBody)::text,
            \(record.msRequestID)::uuid, \(record.msCorrelationID)::uuid, \(record.errorCode)::text,
            \(record.durationMilliseconds)::integer, \(record.details)::jsonb)
        """
    }
}

struct AuditWriteError: Error, CustomStringConvertible {
    var description: String { "audit_append returned no sequence number" }
}
