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
    public var grantSets: GrantSetRepository { GrantSetRepository(client: database) }
    public var consentStates: ConsentStateRepository { ConsentStateRepository(client: database) }

    /// One pacer per process: the 500 requests/minute listing limit is per partner, whoever asks.
    private static let listingPacer = RequestPacer()

    public func customerSync() -> CustomerSync {
        CustomerSync(
            partners: partners, customers: customers, tokens: tokenProvider, partnerCenter: partnerCenter,
            pacer: Self.listingPacer)
    }

    /// - Parameter verifyGrants: check each grant through Graph afterwards (`CPV_VERIFY_GRANTS`).
    public func consentGrantor(verifyGrants: Bool = false) -> ConsentGrantor {
        ConsentGrantor(
            partners: partners, customers: customers, grantSets: grantSets, consents: consentStates, tokens: tokenProvider,
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
