import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, but the closure's own error comes out as thrown (PostgresNIO wraps it
    /// in `PostgresTransactionError`), so callers can catch their domain errors by type.
    @discardableResult
    public func inTransaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let own = error.closureError { throw own }
            throw error
        }
    }
}
