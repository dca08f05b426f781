import ConsentStore
import Foundation
import Logging
import MicrosoftCloud
import Orchestrator
import ServiceLifecycle

/// Durable runs (issue #6): the worker services.
extension AppServices {
    /// A run worker with `configuration.workers` tasks in flight and its rescuer; none when
    /// `CPV_WORKERS` is 0 (an API-only process). Every process may run both: claims and rescues
    /// skip what another process holds.
    public func runWorkers(logger: Logger) -> [any Service] {
        guard configuration.workers > 0 else { return [] }
        // Renewing at a third of the lease leaves two heartbeats' slack before a slow worker loses it.
        let lease = Duration.seconds(configuration.runLeaseSeconds)
        let worker = RunWorker(
            queue: runTaskQueue, grantor: grantor,
            configuration: .init(concurrency: configuration.workers, lease: lease, heartbeat: lease / 3), metrics: flowMetrics,
            logger: logger)
        let rescuer = RunRescuer(queue: runTaskQueue, interval: .seconds(configuration.runRescueIntervalSeconds), logger: logger)
        return [worker, rescuer]
    }
}
