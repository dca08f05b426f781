import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Syncs every active partner's customers on a schedule (default every 6 hours, the first cycle
/// at start-up). One partner's failure is logged and does not stop the others.
public struct CustomerSyncService: Service {
    let sync: CustomerSync
    let partners: PartnerRepository
    let interval: Duration
    let logger: Logger

    public init(sync: CustomerSync, partners: PartnerRepository, interval: Duration = .seconds(6 * 3_600), logger: Logger) {
        self.sync = sync
        self.partners = partners
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { await self.syncAll() }
    }

    /// One cycle: each active partner in turn (the per-partner listing limit is what bounds a
    /// sync, so running partners in parallel would gain little and spread failures).
    @discardableResult
    public func syncAll() async -> [UUID: Result<CustomerSyncSummary, any Error>] {
        var results: [UUID: Result<CustomerSyncSummary, any Error>] = [:]
        let active: [Partner]
        do {
            active = try await partners.allPartners(logger: logger).filter { $0.status == .active }
        } catch {
            logger.error("customer sync could not list partners", metadata: ["cpv.error": "\(String(reflecting: error))"])
            return results
        }
        for partner in active {
            if Task.isCancelled { break }
            do {
                results[partner.id] = .success(try await sync.sync(partnerID: partner.id, actor: "system:customer-sync", logger: logger))
            } catch {
                results[partner.id] = .failure(error)
                logger.warning(
                    "customer sync of a partner failed",
                    metadata: ["cpv.partner": "\(partner.id.guidText)", "cpv.error": "\(String(reflecting: error))"])
            }
        }
        return results
    }
}
