import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §6 (applicationconsents) and §4 (conventions, headers, error body).
@Suite struct ApplicationConsentTests {
    @Test func postCreatesTheConsentAndEchoesIt() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            // when
            let r = try await h.postConsent(customer: customer, token: token)
            // then
            #expect(r.status == 201)
            #expect(r.json["applicationId"] as? String == h.app.appId)
            #expect((r.json["applicationGrants"] as? [Any])?.count == 2)
            #expect(await h.state.consents(customerId: customer).map(\.applicationId) == [h.app.appId])
        }
    }

    @Test func secondPostIs409PermissionEntryAlreadyExists() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            // when
            let r = try await h.postConsent(customer: customer, token: token)
            // then
            #expect(r.status == 409)
            #expect(r.json["description"] as? String == "Permission entry already exists.")
        }
    }

    @Test func pascalCasePropertyNamesAreAccepted() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let body: [String: Any] = ["ApplicationId": h.app.appId, "ApplicationGrants": [
                ["EnterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "Scope": "Directory.Read.All"],
            ]]
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token, body: body)
            // then
            #expect(r.status == 201)
        }
    }

    @Test func malformedJSONIs400Code2000() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.send(.POST, "/v1/customers/\(h.partner.customers[0].tenantId)/applicationconsents",
                                     headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: Array("{not json".utf8))
            // then
            #expect(r.status == 400)
            #expect(r.json["code"] as? Int == 2000)
        }
    }

    @Test func missingGrantsIs400Code3000() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token, body: ["applicationId": h.app.appId])
            // then
            #expect(r.status == 400)
            #expect(r.json["code"] as? Int == 3000)
        }
    }

    @Test func appOnlyTokenIs400Code900316() async throws {
        try await SimulatorHarness.run { h in
            // given
            let appOnly = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("scope", "https://api.partnercenter.microsoft.com/.default"),
            ]).json["access_token"] as? String ?? ""
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: appOnly)
            // then
            #expect(r.status == 400)
            #expect(r.json["code"] as? Int == 900316)
        }
    }

    @Test func applicationIdOtherThanTheTokensIs403() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token, body: h.consentBody(appId: UUID().uuidString))
            // then
            #expect(r.status == 403)
        }
    }

    @Test func customerOfAnotherPartnerIs403Code20002() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: h.world.partners[1].customers[0].tenantId, token: token)
            // then
            #expect(r.status == 403)
            #expect(r.json["code"] as? Int == 20002)
        }
    }

    @Test func unknownCustomerIs404Code60003() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: UUID().uuidString.lowercased(), token: token)
            // then
            #expect(r.status == 404)
            #expect(r.json["code"] as? Int == 60003)
        }
    }

    @Test func graphTokenIsRejectedWith401() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            let graph = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: graph)
            // then
            #expect(r.status == 401)
        }
    }

    @Test func expiredTokenIsRejectedWith401() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.advanceClock(by: 2 * 3600)
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token)
            // then
            #expect(r.status == 401)
        }
    }

    @Test func userWithoutMFAIsRefused() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken(loginHint: h.partner.adminUsers[1].userPrincipalName)
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token)
            // then
            #expect(r.status == 403)
        }
    }

    @Test func deleteRemovesTheConsentThenAnswers404() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            // when
            let first = try await h.deleteConsent(customer: customer, token: token)
            let second = try await h.deleteConsent(customer: customer, token: token)
            // then
            #expect(first.status == 204)
            #expect(second.status == 404)
            #expect(await h.state.consents(customerId: customer).isEmpty)
        }
    }

    @Test func requestAndCorrelationIdsAreEchoedWithAnMSCV() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token, requestId: "req-1")
            // then
            #expect(r.header("MS-RequestId") == "req-1")
            #expect(r.header("MS-CV") != nil)
            let correlated = try await h.json(.POST, "/v1/customers/\(h.partner.customers[1].tenantId)/applicationconsents", bearer: token,
                                              body: h.consentBody(), headers: [("MS-CorrelationId", "corr-9")])
            #expect(correlated.header("MS-CorrelationId") == "corr-9")
        }
    }

    @Test func grantForAResourceWithoutServicePrincipalIs400() async throws {
        // given
        var world = SimulatorWorld.generated(seed: 8, partners: 1, customersPerPartner: 1)
        world.partners[0].customers[0].resourceServicePrincipals = ["00000003-0000-0000-c000-000000000000"]
        try await SimulatorHarness.run(world: world) { h in
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token)
            // then
            #expect(r.status == 400)
            #expect(await h.state.consents(customerId: h.partner.customers[0].tenantId).isEmpty)
        }
    }
}
