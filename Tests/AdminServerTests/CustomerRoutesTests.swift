import AdminServer
import AsyncHTTPClient
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import MicrosoftCloud
import Orchestrator
import PostgresNIO
import Testing

/// The error mapping of the sync and regrant routes (their happy paths are the orchestrator's tests).
@Suite struct CustomerRoutesTests {
    func app(_ client: PostgresClient) throws -> some ApplicationProtocol {
        let partners = PartnerRepository(client: client, audit: TestAudit.writer)
        let customers = CustomerRepository(client: client)
        let sealer = TokenSealer(keys: try SealingKeyRing(parsing: Secret(TestEnvironment.sealingKeys)))
        // Nothing here reaches Microsoft: every request fails on the database lookup first.
        let entra = EntraTokenClient(http: HTTPClient.shared, clientID: TestEnvironment.applicationID, credential: .secret(Secret("unused"), style: .formBody))
        let tokens = PartnerTokenProvider(
            repository: partners, store: DatabaseRefreshTokenStore(repository: partners, sealer: sealer), entra: entra,
            overrides: .init(login: "http://127.0.0.1:1"))
        let partnerCenter = PartnerCenterClient(http: HTTPClient.shared)
        let router = Router(context: AppRequestContext.self)
        CustomerRoutes(
            sync: CustomerSync(partners: partners, customers: customers, tokens: tokens, partnerCenter: partnerCenter),
            grantor: ConsentGrantor(
                partners: partners, customers: customers,
                consents: ConsentStateRepository(client: client, audit: TestAudit.writer), tokens: tokens, partnerCenter: partnerCenter)
        ).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: .operator)))
        return Application(router: router)
    }

    @Test func regrantOfAnUnknownCustomerIsNotFound() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client).test(.router) { http in
                // when
                try await http.execute(uri: "/api/v1/customers/424242/regrant", method: .post) { response in
                    // then
                    #expect(response.status == .notFound)
                    #expect(String(buffer: response.body).contains("\"code\":\"not_found\""))
                }
            }
        }
    }

    @Test func syncOfAPartnerWithoutConsentIsAConflict() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let registration = try PartnerRegistration(tenantId: UUID().uuidString, displayName: "P", cloud: "global").validated()
            let partner = try await PartnerRepository(client: client, audit: TestAudit.writer).register(registration, actor: "staff:test", logger: TestDatabase.logger)

            try await app(client).test(.router) { http in
                // when
                try await http.execute(uri: "/api/v1/partners/\(partner.id)/sync", method: .post) { response in
                    // then
                    #expect(response.status == .conflict)
                    #expect(String(buffer: response.body).contains("\"code\":\"partner_not_active\""))
                }
            }
        }
    }
}
