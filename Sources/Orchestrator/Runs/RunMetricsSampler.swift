import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Samples the queue every `interval` into gauges (`cpv_runs`, `cpv_run_tasks`): open runs by
/// status and their tasks by status. Runs in `cpv serve` only, so one process reports them.
public struct RunMetricsSampler: Service {
    let runs: RunRepository
    let interval: Duration
    let metrics: FlowMetrics
    let logger: Logger

    public init(runs: RunRepository, interval: Duration = .seconds(15), metrics: FlowMetrics, logger: Logger) {
        self.runs = runs
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { await self.sample() }
    }

    /// One sample; every known status is set, so a status that emptied reads 0.
    public func sample() async {
        do {
            let counts = try await withDeadline(.seconds(10)) { [runs, logger] in try await runs.openCounts(logger: logger) }
            for status in [RunStatus.queued, .running, .paused] {
                metrics.openRuns(status: status.rawValue).set(Double(counts.runs[status] ?? 0))
            }
            for status in RunTaskStatus.allCases {
                metrics.openTasks(status: status.rawValue).set(Double(counts.tasks[status] ?? 0))
            }
        } catch {
            logger.debug("run metrics sample failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }
}
