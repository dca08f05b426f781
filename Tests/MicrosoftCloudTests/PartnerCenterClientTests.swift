import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud
import PartnerCenterSimulator
import Testing

/// Customer paging against the simulator (partner-center-api.md §5.2).
@Suite struct PartnerCenterClientTests {
    let logger = Logger(label: "cpv.test.pc")

    @Test func pagesThroughEveryCustomerFollowingLinksNext() async throws {
        let application = SimulatedApplication(
            appId: EntraTokenClientTests.appID, displayName: "CPV", homeTenantId: EntraTokenClientTests.homeTenant,
            clientSecrets: [.init(value: "right-secret")], redirectURIs: ["http://cpv.test/consent/callback"])
        let world = SimulatorWorld.generated(seed: 9, partners: 1, customersPerPartner: 23, application: application)
        try await PartnerCenterSimulator.withRunning(world: world, logger: logger) { simulator in
            let profile = CloudProfile.resolve(.global, overrides: .init(login: simulator.baseURL, partnerCenter: simulator.baseURL))
            let entra = EntraTokenClient(http: .shared, clientID: EntraTokenClientTests.appID, credential: .secret(Secret("right-secret"), style: .formBody))
            let refresh = try #require(await simulator.state.issueRefreshToken(
                clientId: EntraTokenClientTests.appID, userPrincipalName: world.partners[0].adminUsers[0].userPrincipalName))
            let token = try await entra.token(
                profile: profile, tenant: world.partners[0].tenantId, grant: .refreshToken(Secret(refresh)),
                scope: profile.partnerCenterScope, logger: logger)
            let client = PartnerCenterClient(http: .shared)
            var continuation: PartnerCenterCustomerPage.Continuation?
            var seen: [String] = []
            var pages = 0
            repeat {
                let page = try await client.customers(
                    profile: profile, accessToken: token.accessToken, pageSize: 10, continuation: continuation, logger: logger)
                seen += page.customers.map(\.tenantID)
                continuation = page.next
                pages += 1
            } while continuation != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(seen) == Set(world.partners[0].customers.map { $0.tenantId.lowercased() }))
            #expect(seen.count == 23)
        }
    }
}
