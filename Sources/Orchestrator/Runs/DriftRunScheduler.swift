import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// The scheduled drift run (`CPV_DRIFT_RUN_INTERVAL_MINUTES`, off by default): every interval, when
/// some customers were last granted an older grant set version than the current one (or never) and
/// no drift run is open, creates a `drift` run for the workers. Every process may run one: the run
/// creation takes turns and skips customers already in a run, so a second scheduler finding the
/// same drift creates an empty run that completes at once.
public struct DriftRunScheduler: Service {
    public static let actor = "system:drift-schedule"

    let runs: RunRepository
    let interval: Duration
    let logger: Logger

    public init(runs: RunRepository, interval: Duration, logger: Logger) {
        self.runs = runs
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval, waitFirst: true) { await self.tick() }
    }

    /// One check; returns the run it created, if any.
    @discardableResult
    public func tick() async -> RunPlan? {
        do {
            guard try await runs.driftRunNeeded(logger: logger) else { return nil }
            let plan = try await runs.create(.init(scope: .drift), actor: Self.actor, logger: logger)
            logger.notice(
                "scheduled drift run created",
                metadata: ["cpv.run": "\(plan.run.id.guidText)", "cpv.planned": "\(plan.planned)", "cpv.missing": "\(plan.missing)"])
            return plan
        } catch {
            logger.warning("scheduled drift run failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
