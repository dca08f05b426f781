import ConsentDomain
import Foundation
import Logging
import PostgresNIO

extension RunRepository {
    /// Whether a reconcile run requested by `actor` (the drift schedule) is still open: the
    /// schedule starts the next one only after it ended, so a slow reconcile is never doubled.
    public func reconcileRunOpen(requestedBy actor: String, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM runs
                WHERE action = 'reconcile' AND requested_by = \(actor) AND status IN ('queued', 'running', 'paused'))
            """, logger: logger)
        for try await open in rows.decode(Bool.self) { return open }
        return false
    }
}
