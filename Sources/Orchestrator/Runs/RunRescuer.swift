import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Puts back tasks whose lease expired (their worker died or hung), with a `task.abandoned` audit
/// event each, and un-blocks tasks of partners that consented again. With the default 30 s lease
/// and 10 s interval, a dead worker's tasks run again within a minute.
public struct RunRescuer: Service {
    let queue: RunTaskQueue
    let interval: Duration
    let maxAttempts: Int
    let logger: Logger

    public init(queue: RunTaskQueue, interval: Duration = .seconds(10), maxAttempts: Int = 5, logger: Logger) {
        self.queue = queue
        self.interval = interval
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { await self.sweep() }
    }

    /// One pass; safe to run from every process at once (`SKIP LOCKED`).
    public func sweep() async {
        do {
            // A pass that hangs (see `withDeadline`) would stop every later pass.
            try await withDeadline(.seconds(30)) { [queue, maxAttempts, logger] in
                let rescued = try await queue.rescueExpired(maxAttempts: maxAttempts, actor: "system:rescuer", logger: logger)
                if !rescued.isEmpty { logger.warning("rescued tasks with expired leases", metadata: ["cpv.tasks": "\(rescued)"]) }
                let unblocked = try await queue.unblockReconsented(logger: logger)
                if unblocked > 0 { logger.info("unblocked tasks of re-consented partners", metadata: ["cpv.tasks": "\(unblocked)"]) }
                try await queue.completeFinishedRuns(logger: logger)
            }
        } catch {
            logger.warning("rescue pass failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }
}
