import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud
import Orchestrator

/// The customer sync and the consent grantor, built from the services graph. New file so the
/// composition root picks them up without changing how the rest is built.
extension AppServices {
    public var customers: CustomerRepository { CustomerRepository(client: database) }
    public var grantSets: GrantSetRepository { GrantSetRepository(client: database, audit: audit) }
    /// Proposals and two-admin approval of grant sets, within the ceiling (`CPV_GRANT_CEILING`, by
    /// default exactly the seeded first grant set).
    public var grantSetPublishing: GrantSetPublishing {
        let seeded = GrantSet.seed(
            applicationID: configuration.applicationID ?? .microsoftGraph, displayName: configuration.applicationDisplayName,
            graphScopes: configuration.graphScopes, createdAt: Date())
        return GrantSetPublishing(grantSets: grantSets, ceiling: configuration.grantCeiling ?? GrantCeiling(grants: seeded.grants))
    }
    public var consentStates: ConsentStateRepository { ConsentStateRepository(client: database, audit: audit) }

    /// The listing budget per partner is held in the database (`CPV_LISTING_RATE_LIMIT` requests a
    /// minute), so syncs in every process together stay within it; 0 leaves only Partner Center's
    /// 429s (waited out) to pace them.
    public func customerSync() -> CustomerSync {
        CustomerSync(
            partners: partners, customers: customers, tokens: tokenProvider, partnerCenter: partnerCenter,
            pacer: listingPacer)
    }

    public var listingPacer: any ListingPacer {
        guard configuration.listingRateLimit > 0 else { return RequestPacer(limit: 1_000_000, window: .seconds(1)) }
        return DatabaseListingPacer(buckets: RateBucketRepository(client: database), requestsPerMinute: configuration.listingRateLimit)
    }

    /// - Parameter verifyGrants: check each grant through Graph afterwards (`CPV_VERIFY_GRANTS`).
    public func consentGrantor(verifyGrants: Bool = false) -> ConsentGrantor {
        ConsentGrantor(
            partners: partners, customers: customers, consents: consentStates, tokens: tokenProvider,
            partnerCenter: partnerCenter, verifier: GrantVerifier(tokens: tokenProvider, graph: GraphClient(http: http)),
            configuration: .init(verifyGrants: verifyGrants))
    }

    /// The scheduled sync of every active partner (default every 6 hours).
    public func customerSyncService(interval: Duration = .seconds(6 * 3_600), logger: Logger) -> CustomerSyncService {
        CustomerSyncService(sync: customerSync(), partners: partners, interval: interval, logger: logger)
    }

    /// Publishes grant set version 1 from configuration when none exists (call once at boot).
    @discardableResult
    public func seedGrantSet(graphScopes: [String], logger: Logger) async throws -> GrantSet? {
        guard let applicationID = configuration.applicationID else { return nil }
        return try await grantSets.seedIfEmpty(
            applicationID: applicationID, displayName: configuration.applicationDisplayName, graphScopes: graphScopes, logger: logger)
    }
}
