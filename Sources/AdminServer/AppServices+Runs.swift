import ConsentStore
import Foundation
import Logging
import Orchestrator
import ServiceLifecycle

/// Durable runs (issue #6): the repository for the routes and the CLI, and the worker services.
extension AppServices {
    public var runs: RunRepository { RunRepository(client: database) }
    public var runTaskQueue: RunTaskQueue { RunTaskQueue(client: database) }

    /// A run worker with `configuration.workers` tasks in flight and its rescuer; none when
    /// `CPV_WORKERS` is 0 (an API-only process). Every process may run both: claims and rescues
    /// skip what another process holds.
    public func runServices(logger: Logger) -> [any Service] {
        guard configuration.workers > 0 else { return [] }
        let worker = RunWorker(
            queue: runTaskQueue, grantor: consentGrantor(verifyGrants: configuration.verifyGrants),
            configuration: .init(concurrency: configuration.workers), logger: logger)
        return [worker, RunRescuer(queue: runTaskQueue, logger: logger)]
    }
}
