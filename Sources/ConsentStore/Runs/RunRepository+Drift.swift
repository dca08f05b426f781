import ConsentDomain
import Foundation
import Logging
import PostgresNIO

extension RunRepository {
    /// Whether a scheduled drift run has anything to do: some customer (not removed, of a partner
    /// not disabled, not already in an unfinished run) was last granted an older grant set version,
    /// or never, while no drift run is still open. The drift scope of `create` is the same filter.
    public func driftRunNeeded(logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            SELECT NOT EXISTS (
                       SELECT 1 FROM runs WHERE scope -> 'drift' IS NOT NULL AND status IN ('queued', 'running', 'paused'))
                   AND EXISTS (
                       SELECT 1 FROM customers c
                       JOIN partners p ON p.id = c.partner_id
                       LEFT JOIN customer_consents cc ON cc.customer_id = c.id
                       WHERE c.removed_at IS NULL AND p.status <> 'disabled'
                         AND (cc.grant_set_version IS NULL OR cc.grant_set_version < (SELECT max(version) FROM grant_sets))
                         AND NOT EXISTS (
                             SELECT 1 FROM run_tasks t JOIN runs r ON r.id = t.run_id
                             WHERE t.customer_id = c.id AND t.status IN ('pending', 'leased', 'blocked')
                               AND r.status IN ('queued', 'running', 'paused')))
            """, logger: logger)
        for try await needed in rows.decode(Bool.self) { return needed }
        return false
    }
}
