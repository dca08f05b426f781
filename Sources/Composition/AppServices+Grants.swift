import ConsentDomain
import ConsentStore
import Foundation
import Logging
import Orchestrator

extension AppServices {
    /// The scheduled sync of every active partner (default every 6 hours).
    public func customerSyncService(interval: Duration = .seconds(6 * 3_600), logger: Logger) -> CustomerSyncService {
        CustomerSyncService(sync: customerSync, partners: partners, interval: interval, logger: logger)
    }

    /// Publishes grant set version 1 from configuration when none exists (call once at boot).
    @discardableResult
    public func seedGrantSet(graphScopes: [String], logger: Logger) async throws -> GrantSet? {
        guard let applicationID = configuration.applicationID else { return nil }
        return try await grantSets.seedIfEmpty(
            applicationID: applicationID, displayName: configuration.applicationDisplayName, graphScopes: graphScopes, logger: logger)
    }
}
