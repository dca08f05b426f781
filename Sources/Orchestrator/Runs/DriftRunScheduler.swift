import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Scheduled drift detection (`CPV_DRIFT_RUN_INTERVAL_MINUTES`, off by default): every interval,
/// unless the last one is still open, a reconcile run over every customer (issue #16). It reads
/// each tenant through Graph, so it finds what changed in the tenants themselves (a scope removed,
/// our service principal deleted), not only customers our own records show behind the grant set;
/// what differs is audited (`consent.drift.detected`) and repaired, tenants that already hold the
/// grant set cost no consent call. Every process may run one: run creation takes turns and skips
/// customers already in a run, so a second scheduler creates an empty run that completes at once.
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
            guard try await !runs.reconcileRunOpen(requestedBy: Self.actor, logger: logger) else { return nil }
            let plan = try await runs.create(.init(scope: .all, action: .reconcile), actor: Self.actor, logger: logger)
            logger.notice(
                "scheduled reconcile run created",
                metadata: ["cpv.run": "\(plan.run.id.guidText)", "cpv.planned": "\(plan.planned)", "cpv.missing": "\(plan.missing)"])
            return plan
        } catch {
            logger.warning("scheduled drift run failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
