import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// How a claimed task ended, as the worker reports it.
public enum TaskCompletion: Sendable, Equatable {
    case succeeded
    case failed(code: String, error: String)
    /// A partner-level failure: the partner's other pending tasks are blocked with it.
    case blocked(code: String, error: String)
    case skipped(code: String, error: String)
    /// Try again after `delay` (the attempt already counted).
    case retry(after: Duration, code: String, error: String)
    /// Partner Center throttled the task until the grantor gave up: try again after `delay`, and
    /// give the attempt back. A 429 says we asked too fast, not that this customer is failing.
    case throttled(after: Duration, code: String, error: String)
}

/// One task's end as a worker reports it (`RunTaskQueue.complete(_:)`).
public struct TaskCompletionWrite: Sendable {
    public var task: ClaimedTask
    public var owner: String
    public var completion: TaskCompletion
    /// What kind of failure ended it (`run_tasks.failure_class`); nil for a success or a skip.
    public var failure: FailureClass?

    public init(task: ClaimedTask, owner: String, completion: TaskCompletion, failure: FailureClass? = nil) {
        self.task = task
        self.owner = owner
        self.completion = completion
        self.failure = failure
    }
}

/// How tasks end: recorded in batches, each only under its lease, and the run completed by
/// whichever completion commits last.
extension RunTaskQueue {
    /// Records how the task ended, if `owner` still holds it, and completes its run when no task is
    /// left to work on. Returns false when the lease was lost (the task belongs to someone else now).
    @discardableResult
    public func complete(
        _ task: ClaimedTask, owner: String, _ completion: TaskCompletion, failure: FailureClass? = nil, logger: Logger
    ) async throws -> Bool {
        try await complete([TaskCompletionWrite(task: task, owner: owner, completion: completion, failure: failure)], logger: logger)[0]
    }

    /// Records several tasks' ends in one statement (each only if its owner still holds it) and
    /// returns, in order, whether each was kept. `blocked` completions, which also block their
    /// partner's other tasks, each take their own transaction.
    ///
    /// No run row lock: taking it for every completion made all workers of a run queue behind each
    /// other (`pg_stat_activity` during the ceiling benchmark: a third of the active backends waited
    /// on `SELECT 1 FROM runs ... FOR UPDATE`). Whether the run is done is asked after the commit;
    /// see `completeRunIfDoneAfterCommit`.
    public func complete(_ writes: [TaskCompletionWrite], logger: Logger) async throws -> [Bool] {
        var kept: [Int64: Bool] = [:]
        var plain: [TaskCompletionWrite] = []
        for write in writes {
            if case .blocked = write.completion {
                kept[write.task.id] = try await completeBlocked(write.task, owner: write.owner, write.completion, logger: logger)
            } else {
                plain.append(write)
            }
        }
        guard !plain.isEmpty else { return writes.map { kept[$0.task.id] ?? false } }
        var statement = StatementBuilder()
        statement.text("WITH done (id, owner, status, code, error, delay, given_back, failure) AS (VALUES ")
        for (index, write) in plain.enumerated() {
            let (status, code, error, delay) = Self.columns(write.completion)
            let givenBack: Int32 = if case .throttled = write.completion { 1 } else { 0 }
            let id = statement.bind(write.task.id), owner = statement.bind(write.owner), state = statement.bind(status)
            let errorCode = statement.bind(code), message = statement.bind(error), after = statement.bind(delay)
            let back = statement.bind(givenBack), failure = statement.bind(write.failure?.rawValue)
            statement.text(
                (index > 0 ? ", " : "")
                    + "(\(id)::bigint, \(owner)::text, \(state)::text, \(errorCode)::text, \(message)::text, "
                    + "\(after)::double precision, \(back)::integer, \(failure)::text)")
        }
        statement.text(
            """
            ), updated AS (
                UPDATE run_tasks t SET status = d.status, last_error_code = d.code, last_error = d.error, failure_class = d.failure,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
                    next_attempt_at = now() + make_interval(secs => d.delay),
                    attempts = greatest(t.attempts - d.given_back, 0),
                    finished_at = CASE WHEN d.status IN ('succeeded', 'failed', 'skipped') THEN now() END
                FROM done d
                WHERE t.id = d.id AND t.lease_owner = d.owner AND t.status = 'leased'
                RETURNING t.id, t.run_id
            )
            SELECT id, run_id FROM updated
            """)
        var runs: Set<UUID> = []
        for try await row in try await client.query(statement.query, logger: logger) {
            let cells = NamedRow(row)
            kept[try cells("id", as: Int64.self)] = true
            runs.insert(try cells("run_id"))
        }
        for run in runs.sorted(by: { $0.uuidString < $1.uuidString }) {
            try await completeRunIfDoneAfterCommit(run, logger: logger)
        }
        return writes.map { kept[$0.task.id] ?? false }
    }

    /// `running → completed` when no task is open, asked after a completion has committed (one
    /// statement per batch and run; it finds an open task at once while the run has any).
    ///
    /// Two workers finishing a run's last two tasks at once each see the other's task still
    /// `leased` inside their own statements. Asked again after the commit, whichever commits last
    /// sees every other completion, so some worker always completes the run. Two that both find
    /// it done both update; the second waits for the first's row lock and then finds the run no
    /// longer `running`. No task row is locked here, so this cannot deadlock with a cancel. (The
    /// rescuer's `completeFinishedRuns` remains the safety net for a process that dies between the
    /// two statements.)
    private func completeRunIfDoneAfterCommit(_ runID: UUID, logger: Logger) async throws {
        try await client.query(
            """
            UPDATE runs SET status = 'completed', finished_at = now()
            WHERE id = \(runID) AND status = 'running' AND NOT EXISTS (
                SELECT 1 FROM run_tasks WHERE run_id = \(runID) AND status IN ('pending', 'leased', 'blocked'))
            """, logger: logger)
    }

    /// A partner-level failure: the task ends `blocked` and so do the partner's other pending tasks,
    /// which would fail the same way until its re-consent (`unblockReconsented`). Rare, so it keeps
    /// the plain transaction with the run's row lock first, the order `RunRepository.apply` uses.
    private func completeBlocked(_ task: ClaimedTask, owner: String, _ completion: TaskCompletion, logger: Logger) async throws -> Bool {
        let (status, code, error, _) = Self.columns(completion)
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT 1 FROM runs WHERE id = \(task.runID) FOR UPDATE", logger: logger)
            var updated = false
            for try await _ in try await connection.query(
                """
                UPDATE run_tasks SET status = \(status), last_error_code = \(code), last_error = \(error), failure_class = 'partner',
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), next_attempt_at = now(),
                    finished_at = NULL
                WHERE id = \(task.id) AND lease_owner = \(owner) AND status = 'leased'
                RETURNING id
                """, logger: logger
            ) { updated = true }
            guard updated else { return false }
            try await connection.query(
                """
                UPDATE run_tasks SET status = 'blocked', last_error_code = \(code), last_error = \(error), updated_at = now()
                WHERE partner_id = \(task.partnerID) AND status = 'pending'
                """, logger: logger)
            try await Self.completeRunIfDone(task.runID, on: connection, logger: logger)
            return true
        }
    }

    /// `running → completed` (the domain's `complete`) once no task is pending, leased or blocked.
    ///
    /// The run's row lock comes first: two workers finishing the last two tasks at once would each
    /// still see the other's task leased (uncommitted) and neither would complete the run. Under
    /// the lock, the second one's check runs after the first has committed.
    static func completeRunIfDone(_ runID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT 1 FROM runs WHERE id = \(runID) FOR UPDATE", logger: logger)
        try await connection.query(
            """
            UPDATE runs SET status = 'completed', finished_at = now()
            WHERE id = \(runID) AND status = 'running' AND NOT EXISTS (
                SELECT 1 FROM run_tasks WHERE run_id = \(runID) AND status IN ('pending', 'leased', 'blocked'))
            """, logger: logger)
    }

    /// Completes every running run with no task left; the rescuer's safety net for a completion
    /// lost to a crash between a task's end and its run's check.
    @discardableResult
    public func completeFinishedRuns(logger: Logger) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE runs r SET status = 'completed', finished_at = now()
            WHERE r.status = 'running' AND NOT EXISTS (
                SELECT 1 FROM run_tasks t WHERE t.run_id = r.id AND t.status IN ('pending', 'leased', 'blocked'))
            RETURNING r.id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    private static func columns(_ completion: TaskCompletion) -> (String, String?, String?, Double) {
        switch completion {
        case .succeeded: ("succeeded", nil, nil, 0)
        case .failed(let code, let error): ("failed", code, error, 0)
        case .blocked(let code, let error): ("blocked", code, error, 0)
        case .skipped(let code, let error): ("skipped", code, error, 0)
        case .retry(let delay, let code, let error), .throttled(let delay, let code, let error):
            ("pending", code, error, delay.intervalSeconds)
        }
    }
}
