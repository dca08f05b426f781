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
        var statement = StatementBuilder()
        statement.text("SELECT ")
        appendCall(record, to: &statement)
        return statement.query
    }

    /// Appends `audit_append(...)` for `record` to a statement being built, so that callers can
    /// put an event into the same statement as the state change it describes.
    static func appendCall(_ record: AuditRecord, to statement: inout StatementBuilder) {
        let arguments = [
            statement.bind(record.actor) + "::text", statement.bind(record.action) + "::text",
            statement.bind(record.partnerID) + "::uuid", statement.bind(record.customerID) + "::bigint",
            statement.bind(record.runID) + "::uuid", statement.bind(record.taskID) + "::bigint",
            statement.bind(record.httpMethod) + "::text", statement.bind(record.urlPath) + "::text",
            statement.bind(record.requestBody) + "::jsonb", statement.bind(record.responseStatus) + "::integer",
            statement.bind(record.responseBody) + "::text", statement.bind(record.msRequestID) + "::uuid",
            statement.bind(record.msCorrelationID) + "::uuid", statement.bind(record.errorCode) + "::text",
            statement.bind(record.durationMilliseconds) + "::integer", statement.bind(record.details) + "::jsonb",
        ]
        statement.text("audit_append(" + arguments.joined(separator: ", ") + ")")
    }
}

struct AuditWriteError: Error, CustomStringConvertible {
    var description: String { "audit_append returned no sequence number" }
}
