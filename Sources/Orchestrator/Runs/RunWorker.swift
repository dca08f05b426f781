import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Works the tasks of runs: claims due tasks in batches, keeps their leases alive with a heartbeat,
/// runs the grantor (or its revoke) for each, and records how each ended. Any number of workers,
/// in any number of processes sharing one database, can run side by side: the lease decides who
/// works on a task, and every write checks it.
///
/// On graceful shutdown it stops claiming and lets the tasks in hand finish; leases still held when
/// it ends (a task cancelled midway) are released so another worker takes them at once.
public struct RunWorker: Service {
    public struct Configuration: Sendable {
        /// Unique per worker: the lease owner written into `run_tasks.lease_owner`.
        public var owner: String
        /// The most tasks in flight at once (`CPV_WORKERS`). Below it, the number follows the
        /// budget and the latency Partner Center answers with (`ConcurrencyLimit`).
        public var concurrency: Int
        public var lease: Duration
        /// How often held leases are renewed; well under `lease`.
        public var heartbeat: Duration
        /// How long to wait when there is nothing to claim.
        public var idlePoll: Duration
        /// Attempts per task (each a full grantor run with its own retries) before it ends `failed`.
        public var maxAttempts: Int
        /// Delay before a failed task is tried again.
        public var backoff: BackoffPolicy

        public init(
            owner: String = RunWorker.defaultOwner(), concurrency: Int = 8, lease: Duration = .seconds(30),
            heartbeat: Duration = .seconds(10), idlePoll: Duration = .seconds(1), maxAttempts: Int = 5,
            backoff: BackoffPolicy = BackoffPolicy(base: 5, cap: 300, maxAttempts: 5, jitter: .equal, retryAfterJitter: 1)
        ) {
            self.owner = owner
            self.concurrency = max(concurrency, 1)
            self.lease = lease
            self.heartbeat = heartbeat
            self.idlePoll = idlePoll
            self.maxAttempts = max(maxAttempts, 1)
            self.backoff = backoff
        }
    }

    let queue: RunTaskQueue
    let grantor: ConsentGrantor
    let configuration: Configuration
    let logger: Logger
    let metrics: FlowMetrics
    /// Tasks' ends, written together (group commit): one statement per batch instead of per task,
    /// so the run's counter rows are taken once per batch.
    let completions: GroupCommit<TaskCompletionWrite, Bool>

    public init(
        queue: RunTaskQueue, grantor: ConsentGrantor, configuration: Configuration = Configuration(), metrics: FlowMetrics = FlowMetrics(),
        logger: Logger
    ) {
        self.queue = queue
        self.grantor = grantor
        self.configuration = configuration
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "cpv.worker"] = "\(configuration.owner)"
        self.logger = logger
        completions = GroupCommit(maxBatch: 64, deadline: configuration.lease, key: \.task.id) { writes, logger in
            try await queue.complete(writes, logger: logger)
        }
    }

    /// `host:pid:random`, so two workers never share an owner even on one machine.
    public static func defaultOwner() -> String {
        let process = ProcessInfo.processInfo
        return "\(process.hostName):\(process.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    public func run() async throws {
        let held = HeldLeases()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await heartbeat(held) }
            await workLoop(held)
            group.cancelAll()
        }
        do {
            let released = try await queue.release(owner: configuration.owner, logger: logger)
            if released > 0 { logger.info("released in-flight leases", metadata: ["cpv.released": "\(released)"]) }
        } catch {
            // Not fatal: the rescuer puts these back when their leases expire.
            logger.warning("could not release leases", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }

    /// What ended a child of the work loop.
    enum LoopEvent: Sendable {
        case finished(TaskReport)
        case timer
    }

    /// The fleet's budget for the concurrency limit: nil when this worker has none of ours.
    private func budget() async -> Double? {
        await grantor.configuration.gate?.currentRate()
    }

    /// Performs what `WorkerSchedule` decides: claims, starts each claimed task as a child, sleeps,
    /// or waits for a child to end (a task, or the idle timer).
    private func workLoop(_ held: HeldLeases) async {
        await withTaskGroup(of: LoopEvent.self) { group in
            var claimFailures = ClaimFailures(idlePoll: configuration.idlePoll)
            var concurrency = ConcurrencyLimit(maximum: configuration.concurrency)
            var schedule = WorkerSchedule(limit: concurrency.update(budget: await budget()), idlePoll: configuration.idlePoll)
            metrics.concurrencyLimit.set(Double(schedule.limit))
            metrics.concurrencyMaximum.set(Double(configuration.concurrency))
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var claimed: [ClaimedTask] = []
                let size = schedule.claimSize
                if let size {
                    do {
                        claimed = try await withDeadline(configuration.lease) { [queue, configuration, logger] in
                            try await queue.claim(owner: configuration.owner, limit: size, lease: configuration.lease, logger: logger)
                        }
                        claimFailures.succeeded(logger: logger)
                    } catch {
                        if let pause = schedule.claimFailed(pause: claimFailures.failed(error, logger: logger)) {
                            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                            continue
                        }
                    }
                }
                for task in claimed {
                    await held.insert(task.id)
                    group.addTask {
                        let report = await work(task)
                        await held.remove(task.id)
                        return .finished(report)
                    }
                }
                let next = schedule.claimed(claimed.count, attempted: size != nil)
                metrics.tasksInFlight.set(Double(schedule.inFlight))
                switch next {
                case .claimAgain:
                    continue
                case .sleep(let pause):
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                    continue
                case .wait(let startTimer):
                    if startTimer {
                        let poll = configuration.idlePoll
                        group.addTask {
                            try? await Task.sleep(for: poll)
                            return .timer
                        }
                    }
                }
                switch await group.next() {
                case .finished(let report):
                    let before = schedule.limit
                    let limit =
                        if let seconds = report.serviceSeconds {
                            concurrency.taskFinished(seconds: seconds, calls: report.calls, budget: await budget())
                        } else {
                            concurrency.update(budget: await budget())
                        }
                    schedule.taskFinished(limit: limit)
                    metrics.tasksInFlight.set(Double(schedule.inFlight))
                    if schedule.limit != before {
                        metrics.concurrencyLimit.set(Double(schedule.limit))
                        logger.debug(
                            "tasks in flight follow the budget",
                            metadata: [
                                "cpv.limit": "\(schedule.limit)", "cpv.task_seconds": "\(String(format: "%.2f", concurrency.taskSeconds))",
                            ])
                    }
                case .timer: schedule.timerFired()
                case nil: break
                }
            }
            // Graceful shutdown: the tasks in hand finish (their leases are still renewed).
            await group.waitForAll()
            metrics.tasksInFlight.set(0)
        }
    }

    private func heartbeat(_ held: HeldLeases) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            // A task in hand for longer than any task should take is no longer renewed: its lease
            // expires and the rescuer gives it to another worker. Seen after a PostgreSQL restart:
            // a task's await never returned, and renewing its lease for ever left the run
            // unfinishable. If it ever finishes, its completion fails the lease-owner check.
            let (ids, overdue) = await held.split(olderThan: configuration.lease * 20)
            if !overdue.isEmpty {
                logger.error(
                    "tasks in hand for over 20 leases: no longer renewing their leases", metadata: ["cpv.tasks": "\(overdue.sorted())"])
            }
            guard !ids.isEmpty, !Task.isCancelled else { continue }
            do {
                let renewed = try await withDeadline(configuration.lease) { [queue, configuration, logger] in
                    try await queue.heartbeat(taskIDs: ids, owner: configuration.owner, lease: configuration.lease, logger: logger)
                }
                // A task that finished while we renewed is not lost; one still in hand but not renewed is.
                let lost = Set(await held.ids).intersection(ids).subtracting(renewed)
                if !lost.isEmpty {
                    logger.warning("lost leases (rescued elsewhere)", metadata: ["cpv.tasks": "\(lost.sorted())"])
                }
            } catch {
                logger.warning("lease heartbeat failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
            }
        }
    }
}

/// Consecutive claim failures: the wait before the next try doubles (up to 30 s), and the problem is
/// logged when it starts, when it changes and when it ends, not once a second while it lasts.
struct ClaimFailures {
    let idlePoll: Duration
    private(set) var count = 0
    private var lastReported: String?

    init(idlePoll: Duration) { self.idlePoll = idlePoll }

    mutating func failed(_ error: any Error, logger: Logger) -> Duration {
        count += 1
        let described = String(describing: error)
        if described != lastReported {
            lastReported = described
            let needsOperator = (error as? RunQueueError)?.needsOperator ?? false
            logger.log(
                level: needsOperator ? .error : .warning, "claiming tasks failed; retrying with backoff",
                metadata: ["cpv.error": "\(described)", "cpv.failures": "\(count)"])
        }
        let factor = 1 << min(count - 1, 6)
        return min(idlePoll * factor, .seconds(30))
    }

    mutating func succeeded(logger: Logger) {
        guard count > 0 else { return }
        logger.notice("claiming tasks works again", metadata: ["cpv.failures": "\(count)"])
        count = 0
        lastReported = nil
    }
}

/// The ids of the tasks this worker is working on, for the heartbeat.
actor HeldLeases {
    private var since: [Int64: ContinuousClock.Instant] = [:]
    private var abandoned = Set<Int64>()
    var ids: [Int64] { Array(since.keys) }
    func insert(_ id: Int64) { since[id] = .now }
    func remove(_ id: Int64) {
        since[id] = nil
        abandoned.remove(id)
    }

    /// The ids to renew, and those newly found held longer than `limit` (reported once, never renewed again).
    func split(olderThan limit: Duration) -> (renew: [Int64], overdue: [Int64]) {
        let now = ContinuousClock.now
        var renew: [Int64] = []
        var overdue: [Int64] = []
        for (id, start) in since where !abandoned.contains(id) {
            if now - start > limit {
                abandoned.insert(id)
                overdue.append(id)
            } else {
                renew.append(id)
            }
        }
        return (renew, overdue)
    }
}
