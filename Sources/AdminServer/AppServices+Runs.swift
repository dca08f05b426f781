import ConsentStore
import Foundation
import Logging
import MicrosoftCloud
import Orchestrator
import ServiceLifecycle

/// Durable runs (issue #6): the repository for the routes and the CLI, and the worker services.
extension AppServices {
    public var runs: RunRepository { RunRepository(client: database, audit: audit) }
    public var runTaskQueue: RunTaskQueue { RunTaskQueue(client: database, audit: audit) }

    /// A run worker with `configuration.workers` tasks in flight and its rescuer; none when
    /// `CPV_WORKERS` is 0 (an API-only process). Every process may run both: claims and rescues
    /// skip what another process holds.
    public func runServices(logger: Logger) -> [any Service] {
        guard configuration.workers > 0 else { return [] }
        // Renewing at a third of the lease leaves two heartbeats' slack before a slow worker loses it.
        let lease = Duration.seconds(configuration.runLeaseSeconds)
        let worker = RunWorker(
            queue: runTaskQueue, grantor: runGrantor(),
            configuration: .init(concurrency: configuration.workers, lease: lease, heartbeat: lease / 3), metrics: flowMetrics,
            logger: logger)
        let rescuer = RunRescuer(queue: runTaskQueue, interval: .seconds(configuration.runRescueIntervalSeconds), logger: logger)
        return [worker, rescuer]
    }

    /// The consent budget of the CPV application id shared by every process (`CPV_CONSENT_RATE_LIMIT`,
    /// `CPV_CONSENT_BURST`, `CPV_CONSENT_RATE_MARGIN`).
    public var consentRateGovernor: DatabaseRateGovernor? {
        guard configuration.consentRateLimit > 0, let applicationID = configuration.applicationID else { return nil }
        return DatabaseRateGovernor(
            buckets: RateBucketRepository(client: database), key: "consent:\(applicationID)",
            budget: .init(
                limit: configuration.consentRateLimit, burst: configuration.consentBurst, margin: configuration.consentRateMargin),
            metrics: flowMetrics)
    }

    /// The grantor of run workers: like `consentGrantor`, behind the shared consent budget.
    public func runGrantor() -> ConsentGrantor {
        ConsentGrantor(
            partners: partners, customers: customers, consents: consentStates, tokens: tokenProvider,
            partnerCenter: partnerCenter, verifier: GrantVerifier(tokens: tokenProvider, graph: GraphClient(http: http)),
            configuration: .init(verifyGrants: configuration.verifyGrants, gate: consentRateGovernor), metrics: flowMetrics)
    }
}
