import ConsentDomain
import Foundation
import PostgresNIO

/// The two shapes of the task claim, prepared once per connection (every worker claims several
/// times a second). Each is a `WITH due AS (...)` that picks task ids, then the one tail below.
/// Parameters: `$1` the most tasks to lease, `$2` the lease owner, `$3` the lease in seconds.
protocol ClaimStatement: PostgresPreparedStatement where Row == ClaimedTask {
    var limit: Int64 { get }
    var owner: String { get }
    var leaseSeconds: Double { get }
}

extension ClaimStatement {
    static var bindingDataTypes: [PostgresDataType] { [.int8, .text, .float8] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(limit)
        bindings.append(owner)
        bindings.append(leaseSeconds)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedTask {
        let cells = NamedRow(row)
        return ClaimedTask(
            id: try cells("id"), runID: try cells("run_id"), customerID: try cells("customer_id"),
            partnerID: try cells("partner_id"), action: RunAction(rawValue: try cells("action")) ?? .grant,
            attempts: Int(try cells("attempts", as: Int32.self)))
    }

    /// The claim's one tail: lease the picked tasks to `$2`, start their queued runs (`queued →
    /// running`, the domain's `start`), and return what the worker needs.
    static var leaseDue: String {
        """
        , claimed AS (
            UPDATE run_tasks t SET status = 'leased', lease_owner = $2,
                lease_expires_at = now() + make_interval(secs => $3),
                attempts = t.attempts + 1, updated_at = now()
            FROM due WHERE t.id = due.id
            RETURNING t.id, t.run_id, t.customer_id, t.partner_id, t.attempts
        ), started AS (
            UPDATE runs SET status = 'running', started_at = coalesce(started_at, now())
            WHERE id IN (SELECT run_id FROM claimed) AND status = 'queued'
        )
        SELECT c.id, c.run_id, c.customer_id, c.partner_id, r.action, c.attempts
        FROM claimed c JOIN runs r ON r.id = c.run_id
        ORDER BY c.id
        """
    }
}

/// Claims from runs with a `max_concurrency`: at most each run's free room (its limit less its
/// leased tasks), under the run row locks its caller holds.
struct ClaimFromLimitedRuns: ClaimStatement {
    static let sql = """
        WITH room AS (
            SELECT r.id, r.max_concurrency - (
                SELECT count(*) FROM run_tasks x WHERE x.run_id = r.id AND x.status = 'leased') AS free
            FROM runs r
            WHERE r.status IN ('queued', 'running') AND NOT r.dry_run AND r.max_concurrency IS NOT NULL
        ), due AS (
            SELECT c.id FROM room CROSS JOIN LATERAL (
                SELECT t.id FROM run_tasks t
                WHERE t.run_id = room.id AND t.status = 'pending' AND t.next_attempt_at <= now()
                ORDER BY t.priority DESC, t.next_attempt_at, t.id
                LIMIT greatest(least(room.free, $1), 0)
                FOR UPDATE OF t SKIP LOCKED
            ) c
            WHERE room.free > 0
            LIMIT $1
        )
        """ + leaseDue

    var limit: Int64
    var owner: String
    var leaseSeconds: Double
}

/// Claims from runs without a `max_concurrency`, highest priority first, skipping rows other
/// workers hold.
struct ClaimFromUnlimitedRuns: ClaimStatement {
    static let sql = """
        WITH due AS (
            SELECT t.id FROM run_tasks t JOIN runs r ON r.id = t.run_id
            WHERE t.status = 'pending' AND t.next_attempt_at <= now()
              AND r.status IN ('queued', 'running') AND NOT r.dry_run AND r.max_concurrency IS NULL
            ORDER BY t.priority DESC, t.next_attempt_at, t.id
            LIMIT $1
            FOR UPDATE OF t SKIP LOCKED
        )
        """ + leaseDue

    var limit: Int64
    var owner: String
    var leaseSeconds: Double
}
