import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// A task a worker holds a lease on.
public struct ClaimedTask: Sendable, Equatable {
    public var id: Int64
    public var runID: UUID
    public var customerID: Int64
    public var partnerID: UUID
    public var action: RunAction
    /// Including this one.
    public var attempts: Int
}

/// The workers' side of `run_tasks`: claim, heartbeat, complete, rescue, release. Every write checks
/// the lease owner, so a worker whose lease was rescued cannot overwrite what the next one did.
public struct RunTaskQueue: Sendable {
    public let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    /// Leases up to `limit` due tasks of queued or running runs, highest priority first, skipping
    /// rows other workers hold (`FOR UPDATE SKIP LOCKED`), and starts their runs (`queued → running`,
    /// the domain's `start`). Paused and cancelled runs are never claimed from.
    ///
    /// Runs with a `max_concurrency` are claimed from first, under their row locks (see
    /// `claimLimited`); the rest of the slots go to runs without one.
    public func claim(owner: String, limit: Int, lease: Duration, logger: Logger) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        do {
            var tasks = try await claimLimited(owner: owner, limit: limit, lease: lease, logger: logger)
            if tasks.count < limit {
                tasks += try await claimUnlimited(owner: owner, limit: limit - tasks.count, lease: lease, logger: logger)
            }
            return tasks
        } catch {
            throw RunQueueError.classify(error)
        }
    }

    /// Claims from runs with a `max_concurrency`, never leasing more of a run's tasks at once than
    /// it allows across every worker of every process. The limited runs' rows are locked first in
    /// their own statement, so the leased counts the claim reads (a new snapshot, taken after the
    /// lock) include every claim committed before ours: two workers cannot both fill the same room.
    /// Unlimited runs are not locked and their claims stay parallel.
    private func claimLimited(owner: String, limit: Int, lease: Duration, logger: Logger) async throws -> [ClaimedTask] {
        try await client.withTransaction(logger: logger) { connection in
            let locked = try await connection.query(
                """
                SELECT id FROM runs
                WHERE status IN ('queued', 'running') AND NOT dry_run AND max_concurrency IS NOT NULL
                ORDER BY id FOR UPDATE
                """, logger: logger)
            var any = false
            for try await _ in locked.decode(UUID.self) { any = true }
            guard any else { return [] }
            let statement = ClaimFromLimitedRuns(limit: Int64(limit), owner: owner, leaseSeconds: lease.intervalSeconds)
            var tasks: [ClaimedTask] = []
            for try await task in try await connection.execute(statement, logger: logger) { tasks.append(task) }
            return tasks
        }
    }

    private func claimUnlimited(owner: String, limit: Int, lease: Duration, logger: Logger) async throws -> [ClaimedTask] {
        let statement = ClaimFromUnlimitedRuns(limit: Int64(limit), owner: owner, leaseSeconds: lease.intervalSeconds)
        var tasks: [ClaimedTask] = []
        for try await task in try await client.execute(statement, logger: logger) { tasks.append(task) }
        return tasks
    }

    /// Extends the leases `owner` still holds among `taskIDs`; returns those (a missing id was rescued).
    @discardableResult
    public func heartbeat(taskIDs: [Int64], owner: String, lease: Duration, logger: Logger) async throws -> Set<Int64> {
        guard !taskIDs.isEmpty else { return [] }
        var held = Set<Int64>()
        let statement = Heartbeat(leaseSeconds: lease.intervalSeconds, taskIDs: taskIDs, owner: owner)
        for try await id in try await client.execute(statement, logger: logger) { held.insert(id) }
        return held
    }

    /// Prepared once per connection: every worker renews its leases every few seconds.
    struct Heartbeat: PostgresPreparedStatement {
        static let sql = """
            UPDATE run_tasks SET lease_expires_at = now() + make_interval(secs => $1), updated_at = now()
            WHERE id = ANY($2::bigint[]) AND lease_owner = $3 AND status = 'leased'
            RETURNING id
            """
        static let bindingDataTypes: [PostgresDataType] = [.float8, .int8Array, .text]

        var leaseSeconds: Double
        var taskIDs: [Int64]
        var owner: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(leaseSeconds)
            bindings.append(taskIDs)
            bindings.append(owner)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try NamedRow(row)("id") }
    }

    /// Puts back tasks whose lease expired (their worker died or hung), appending `task.abandoned`
    /// for each; one out of attempts ends `failed` instead. Returns the rescued tasks' ids.
    @discardableResult
    public func rescueExpired(maxAttempts: Int, actor: String, logger: Logger) async throws -> [Int64] {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                WITH expired AS (
                    SELECT id, lease_owner FROM run_tasks
                    WHERE status = 'leased' AND lease_expires_at < now()
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE run_tasks t SET
                    status = CASE WHEN t.attempts >= \(Int32(maxAttempts)) THEN 'failed' ELSE 'pending' END,
                    finished_at = CASE WHEN t.attempts >= \(Int32(maxAttempts)) THEN now() END,
                    last_error_code = 'lease_expired', last_error = 'the worker holding the lease stopped renewing it',
                    lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = now(), updated_at = now()
                FROM expired WHERE t.id = expired.id
                RETURNING t.id, t.run_id, t.customer_id, t.partner_id, expired.lease_owner, t.status
                """, logger: logger)
            var rescued: [(Int64, UUID, Int64, UUID, String?, String)] = []
            for try await row in rows {
                let cells = NamedRow(row)
                rescued.append(
                    (try cells("id"), try cells("run_id"), try cells("customer_id"), try cells("partner_id"),
                     try cells("lease_owner"), try cells("status")))
            }
            for (id, runID, customerID, partnerID, owner, status) in rescued {
                try await audit.append(
                    AuditRecord(
                        actor: actor, action: "task.abandoned", partnerID: partnerID, customerID: customerID, runID: runID,
                        taskID: id, errorCode: "lease_expired",
                        details: AuditDetails.json(["leaseOwner": owner ?? "", "now": status])),
                    on: connection, logger: logger)
                try await Self.completeRunIfDone(runID, on: connection, logger: logger)
            }
            return rescued.map(\.0)
        }
    }

    /// Blocked tasks go back to pending once their partner is active: tasks created blocked (no
    /// error yet) as soon as it is, tasks blocked by a failure once it consented again after it.
    @discardableResult
    public func unblockReconsented(logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE run_tasks t SET status = 'pending', next_attempt_at = now(), updated_at = now()
            FROM partners p
            WHERE t.status = 'blocked' AND p.id = t.partner_id AND p.status = 'active'
              AND (t.last_error_code IS NULL OR p.consented_at > t.updated_at)
            RETURNING t.id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// Hands back every lease `owner` holds (graceful shutdown): the tasks are due again at once.
    /// The attempt is given back too: it was interrupted by us, not by Partner Center.
    @discardableResult
    public func release(owner: String, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE run_tasks SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
                attempts = greatest(attempts - 1, 0), next_attempt_at = now(), updated_at = now()
            WHERE lease_owner = \(owner) AND status = 'leased'
            RETURNING id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}

extension Duration {
    /// Whole and fractional seconds, for `make_interval(secs => ...)`.
    var intervalSeconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
