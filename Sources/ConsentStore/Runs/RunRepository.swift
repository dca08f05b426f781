import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Runs and their tasks: creating a run (one set-based statement for all its tasks), watching it,
/// and steering it. The workers' side (claim, heartbeat, complete, rescue) is `RunTaskQueue`.
public struct RunRepository: Sendable {
    public let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    /// What to create.
    public struct Request: Sendable, Equatable {
        public var scope: RunScope
        public var action: RunAction
        public var dryRun: Bool
        public var maxConcurrency: Int?

        public init(scope: RunScope, action: RunAction = .grant, dryRun: Bool = false, maxConcurrency: Int? = nil) {
            self.scope = scope
            self.action = action
            self.dryRun = dryRun
            self.maxConcurrency = maxConcurrency
        }
    }

    /// Creates a run and materialises one task per customer in scope with one `INSERT ... SELECT`,
    /// appending `run.created`. A dry run is recorded (so it is audited) as `completed` with no tasks.
    ///
    /// Skipped: removed customers, customers of disabled partners, customers with an unfinished
    /// task in a queued/running/paused run. Customers of partners that are not active start `blocked`.
    public func create(_ request: Request, actor: String, logger: Logger) async throws -> RunPlan {
        let filter = ScopeFilter(request.scope)
        let scopeJSON = String(decoding: try JSONEncoder().encode(request.scope), as: UTF8.self)
        do {
            return try await createInTransaction(request, filter: filter, scopeJSON: scopeJSON, actor: actor, logger: logger)
        } catch {
            throw Self.unwrapped(error)
        }
    }

    private func createInTransaction(
        _ request: Request, filter: ScopeFilter, scopeJSON: String, actor: String, logger: Logger
    ) async throws -> RunPlan {
        try await client.withTransaction(logger: logger) { connection in
            // Two runs created at once must not both take the same customer: creations take turns.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cpv.runs.create'))", logger: logger)
            var version: Int32?
            for try await current in try await connection.query(
                "SELECT max(version) FROM grant_sets", logger: logger
            ).decode(Int32?.self) { version = current }
            if request.action != .revoke, !request.dryRun, version == nil { throw RunStoreError.noGrantSet }
            let status = request.dryRun ? RunStatus.completed.rawValue : RunStatus.queued.rawValue
            var run: RunRecord?
            for try await row in try await connection.query(
                """
                INSERT INTO runs (action, scope, grant_set_version, dry_run, max_concurrency, status, requested_by, finished_at)
                VALUES (\(request.action.rawValue), \(scopeJSON)::jsonb, \(version), \(request.dryRun),
                        \(request.maxConcurrency.map(Int32.init)), \(status), \(actor),
                        CASE WHEN \(request.dryRun) THEN now() END)
                RETURNING \(unescaped: RunRecord.columns)
                """, logger: logger
            ) { run = try RunRecord.decode(NamedRow(row)) }
            guard var run else { throw RunStoreError.notFound(UUID()) }
            let counts = try await materialise(run: run.id, filter: filter, dryRun: request.dryRun, on: connection, logger: logger)
            try await connection.query(
                "UPDATE runs SET total_tasks = \(Int32(counts.planned)) WHERE id = \(run.id)", logger: logger)
            run.totalTasks = counts.planned
            if counts.planned == 0, !request.dryRun {
                // Nothing in scope (or all of it already in another run): done at once. Left queued,
                // no worker would ever claim from it and nothing would complete it.
                try await connection.query(
                    "UPDATE runs SET status = 'completed', finished_at = now() WHERE id = \(run.id)", logger: logger)
                run.status = .completed
                run.finishedAt = Date()
            }
            try await audit.append(
                AuditRecord(
                    actor: actor, action: request.dryRun ? "run.planned" : "run.created", runID: run.id,
                    details: AuditDetails.json([
                        "action": request.action.rawValue, "scope": scopeJSON, "planned": "\(counts.planned)",
                        "blocked": "\(counts.blocked)", "missing": "\(counts.missing)",
                    ])),
                on: connection, logger: logger)
            return RunPlan(run: run, planned: counts.planned, blocked: counts.blocked, missing: counts.missing)
        }
    }

    private func materialise(
        run: UUID, filter: ScopeFilter, dryRun: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> (planned: Int, blocked: Int, missing: Int) {
        // One statement whatever the size: the candidates CTE is the plan, the INSERT (skipped for a
        // dry run) writes it, and the counts come back from the same snapshot.
        let rows = try await connection.query(
            """
            WITH candidates AS (
                SELECT c.id AS customer_id, c.partner_id,
                       CASE WHEN cc.state = 'missing' THEN 1 ELSE 0 END AS priority,
                       CASE WHEN p.status = 'active' THEN 'pending' ELSE 'blocked' END AS status
                FROM customers c
                JOIN partners p ON p.id = c.partner_id
                LEFT JOIN customer_consents cc ON cc.customer_id = c.id
                WHERE c.removed_at IS NULL AND p.status <> 'disabled'
                  AND (\(filter.kind) = 'all'
                       OR (\(filter.kind) = 'partners' AND c.partner_id = ANY(\(filter.partnerIDs)::uuid[]))
                       OR (\(filter.kind) = 'customers' AND c.id = ANY(\(filter.customerIDs)::bigint[]))
                       OR (\(filter.kind) = 'states' AND coalesce(cc.state, 'unknown') = ANY(\(filter.states)::text[]))
                       OR (\(filter.kind) = 'drift' AND (cc.grant_set_version IS NULL
                           OR cc.grant_set_version < (SELECT max(version) FROM grant_sets))))
                  AND NOT EXISTS (
                      SELECT 1 FROM run_tasks t JOIN runs r ON r.id = t.run_id
                      WHERE t.customer_id = c.id AND t.status IN ('pending', 'leased', 'blocked')
                        AND r.status IN ('queued', 'running', 'paused'))
            ), inserted AS (
                INSERT INTO run_tasks (run_id, customer_id, partner_id, priority, status)
                SELECT \(run), customer_id, partner_id, priority, status FROM candidates WHERE NOT \(dryRun)
                RETURNING 1
            )
            SELECT count(*) AS planned, count(*) FILTER (WHERE status = 'blocked') AS blocked,
                   count(*) FILTER (WHERE priority > 0) AS missing, (SELECT count(*) FROM inserted) AS inserted
            FROM candidates
            """, logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            return (
                Int(try cells("planned", as: Int64.self)), Int(try cells("blocked", as: Int64.self)),
                Int(try cells("missing", as: Int64.self)))
        }
        return (0, 0, 0)
    }

    public func run(id: UUID, logger: Logger) async throws -> RunRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: RunRecord.columns) FROM runs WHERE id = \(id)", logger: logger)
        for try await row in rows { return try RunRecord.decode(NamedRow(row)) }
        return nil
    }

    /// Newest first.
    public func runs(limit: Int = 50, logger: Logger) async throws -> [RunRecord] {
        let rows = try await client.query(
            "SELECT \(unescaped: RunRecord.columns) FROM runs ORDER BY created_at DESC LIMIT \(Int64(limit))", logger: logger)
        var runs: [RunRecord] = []
        for try await row in rows { runs.append(try RunRecord.decode(NamedRow(row))) }
        return runs
    }

    /// The run with counts by status, rate over the last minute (or since it started), ETA and failures by error code.
    public func progress(id: UUID, logger: Logger) async throws -> RunProgress? {
        guard let run = try await run(id: id, logger: logger) else { return nil }
        let counts = try await client.countsByKey(
            "SELECT status AS key, count(*) AS count FROM run_tasks WHERE run_id = \(id) GROUP BY status", logger: logger)
        let failures = try await client.countsByKey(
            """
            SELECT coalesce(last_error_code, 'unknown') AS key, count(*) AS count FROM run_tasks
            WHERE run_id = \(id) AND status IN ('failed', 'blocked') GROUP BY 1
            """, logger: logger)
        let classes = try await client.countsByKey(
            """
            SELECT coalesce(failure_class, 'unknown') AS key, count(*) AS count FROM run_tasks
            WHERE run_id = \(id) AND status IN ('failed', 'blocked') GROUP BY 1
            """, logger: logger)
        // Over the last minute, or since the run started when that is shorter: a run 20 s old
        // that finished 6,000 tasks goes at 300/s, not at 6,000 / 60 = 100/s.
        var rate = 0.0
        for try await row in try await client.query(
            """
            SELECT count(t.id) AS finished,
                   greatest(extract(epoch FROM least(interval '1 minute', now() - r.started_at)), 1)::double precision AS seconds
            FROM runs r LEFT JOIN run_tasks t
                ON t.run_id = r.id AND t.finished_at IS NOT NULL AND t.finished_at > now() - interval '1 minute'
            WHERE r.id = \(id) GROUP BY r.started_at
            """, logger: logger
        ) {
            let cells = NamedRow(row)
            rate = Double(try cells("finished", as: Int64.self)) / (try cells("seconds", as: Double.self))
        }
        var progress = RunProgress(
            run: run, counts: counts, ratePerSecond: rate, etaSeconds: nil, failures: failures, failureClasses: classes)
        let remaining = run.totalTasks - progress.finished
        if progress.ratePerSecond > 0 { progress.etaSeconds = Double(max(remaining, 0)) / progress.ratePerSecond }
        return progress
    }

    /// Tasks of the run, optionally of one status, in claim order.
    public func tasks(runID: UUID, status: RunTaskStatus?, limit: Int = 500, logger: Logger) async throws -> [RunTaskRecord] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: RunTaskRecord.columns) FROM run_tasks
            WHERE run_id = \(runID) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY priority DESC, id LIMIT \(Int64(limit))
            """, logger: logger)
        var tasks: [RunTaskRecord] = []
        for try await row in rows { tasks.append(try RunTaskRecord.decode(NamedRow(row))) }
        return tasks
    }

    /// Applies a staff command (`pause`, `resume`, `cancel`) through `RunStatus.applying`, under the
    /// run's row lock, and audits it as `run.<command>`. Cancelling also cancels the tasks not yet
    /// finished and not leased; leased ones finish and are then left as they end.
    public func apply(_ command: RunCommand, runID: UUID, actor: String, logger: Logger) async throws -> RunRecord {
        do {
            return try await applyInTransaction(command, runID: runID, actor: actor, logger: logger)
        } catch {
            throw Self.unwrapped(error)
        }
    }

    private func applyInTransaction(_ command: RunCommand, runID: UUID, actor: String, logger: Logger) async throws -> RunRecord {
        try await client.withTransaction(logger: logger) { connection in
            var current: RunStatus?
            for try await status in try await connection.query(
                "SELECT status FROM runs WHERE id = \(runID) FOR UPDATE", logger: logger
            ).decode(String.self) { current = RunStatus(rawValue: status) }
            guard let current else { throw RunStoreError.notFound(runID) }
            let next: RunStatus
            do throws(RunTransitionError) { next = try current.applying(command) } catch { throw RunStoreError.transition(error) }
            try await connection.query(
                """
                UPDATE runs SET status = \(next.rawValue),
                    finished_at = CASE WHEN \(next.isTerminal) THEN now() ELSE finished_at END,
                    started_at = CASE WHEN \(next == .running) THEN coalesce(started_at, now()) ELSE started_at END
                WHERE id = \(runID)
                """, logger: logger)
            if next == .cancelled {
                try await connection.query(
                    """
                    UPDATE run_tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
                    WHERE run_id = \(runID) AND status IN ('pending', 'blocked')
                    """, logger: logger)
            }
            try await audit.append(
                AuditRecord(
                    actor: actor, action: "run.\(command.rawValue)", runID: runID,
                    details: AuditDetails.json(["from": current.rawValue, "to": next.rawValue])),
                on: connection, logger: logger)
            var updated: RunRecord?
            for try await row in try await connection.query(
                "SELECT \(unescaped: RunRecord.columns) FROM runs WHERE id = \(runID)", logger: logger
            ) { updated = try RunRecord.decode(NamedRow(row)) }
            guard let updated else { throw RunStoreError.notFound(runID) }
            return updated
        }
    }

    /// Our own errors from inside `client.withTransaction`, as they were thrown rather than wrapped.
    static func unwrapped(_ error: any Error) -> any Error {
        if let wrapped = error as? PostgresTransactionError, let own = wrapped.closureError as? RunStoreError { return own }
        return error
    }
}

/// A `RunScope` as the parameters of the one selection query (unused arrays stay empty).
struct ScopeFilter {
    var kind: String
    var partnerIDs: [UUID] = []
    var customerIDs: [Int64] = []
    var states: [String] = []

    init(_ scope: RunScope) {
        switch scope {
        case .all: kind = "all"
        case .drift: kind = "drift"
        case .partnerIDs(let ids): kind = "partners"; partnerIDs = ids
        case .customerIDs(let ids): kind = "customers"; customerIDs = ids
        case .states(let states): kind = "states"; self.states = states.map(\.rawValue)
        }
    }
}
