import Foundation
import PostgresNIO

/// Why the run queue could not be read, in words a worker can log once and an operator can act on.
public enum RunQueueError: Error, Equatable, CustomStringConvertible {
    /// The run tables are missing: the database was never migrated (or is the wrong database).
    case schemaMissing(String)
    /// Anything else (connection lost, server restarting): transient, worth another try.
    case unavailable(String)

    public var description: String {
        switch self {
        case .schemaMissing(let detail):
            "the database has no run tables (\(detail)): run `cpv migrate` (or `cpv serve --migrate`) against it"
        case .unavailable(let detail): "the run queue is unavailable: \(detail)"
        }
    }

    /// True when waiting will not help: an operator must act.
    public var needsOperator: Bool {
        if case .schemaMissing = self { return true }
        return false
    }

    static func classify(_ error: any Error) -> RunQueueError {
        if let queueError = error as? RunQueueError { return queueError }
        let psql = (error as? PSQLError) ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError)
        if let psql, psql.serverInfo?[.sqlState] == PostgresError.Code.undefinedTable.raw {
            return .schemaMissing(psql.serverInfo?[.message] ?? "undefined table")
        }
        if let psql, let message = psql.serverInfo?[.message] { return .unavailable(message) }
        return .unavailable(String(describing: error))
    }
}
