import Foundation
import PartnerCenterSimulator
import Testing

/// The `/_sim` inspection API that integration tests assert against.
@Suite struct InspectionAPITests {
    @Test func callLogRecordsOrderedNonOverlappingCallsWithIds() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            h.state.clearCalls()
            // when
            _ = try await h.send(.DELETE, "/v1/customers/\(customer)/applicationconsents/\(h.app.appId)",
                                 headers: [("Authorization", "Bearer \(token)"), ("MS-RequestId", "r1"), ("MS-CorrelationId", "pair-1")])
            _ = try await h.json(.POST, "/v1/customers/\(customer)/applicationconsents", bearer: token, body: h.consentBody(),
                                 headers: [("MS-RequestId", "r2"), ("MS-CorrelationId", "pair-1")])
            let log = try await h.get("/_sim/calls")
            // then
            let calls = log.jsonArray.compactMap { $0 as? [String: Any] }
            #expect(calls.map { $0["method"] as? String } == ["DELETE", "POST"])
            #expect(calls.map { $0["status"] as? Int } == [204, 201])
            #expect(calls.map { $0["customerId"] as? String } == [customer, customer])
            #expect(calls.map { $0["msRequestId"] as? String } == ["r1", "r2"])
            #expect(calls.allSatisfy { $0["msCorrelationId"] as? String == "pair-1" })
            let firstEnd = calls[0]["endedAt"] as? Double ?? .infinity
            let secondStart = calls[1]["startedAt"] as? Double ?? 0
            #expect(firstEnd <= secondStart)
        }
    }

    @Test func callLogIsBounded() async throws {
        // given
        var options = SimulatorOptions()
        options.callLogCapacity = 3
        try await SimulatorHarness.run(options: options) { h in
            // when
            for _ in 0..<5 { _ = try await h.get("/v1/customers") }
            // then
            let calls = h.state.calls()
            #expect(calls.count == 3)
            #expect(calls.map(\.sequence) == [3, 4, 5])
        }
    }

    @Test func consentsAreInspectablePerCustomer() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[1].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            // when
            let one = try await h.get("/_sim/customers/\(customer)/consents")
            let all = try await h.get("/_sim/consents")
            // then
            #expect((one.json["consents"] as? [[String: Any]])?.first?["applicationId"] as? String == h.app.appId)
            #expect(all.jsonArray.count == 1)
        }
    }

    @Test func resetRestoresTheLoadedWorld() async throws {
        // given
        var world = SimulatorWorld.generated(seed: 4, partners: 1, customersPerPartner: 3)
        let appId = world.applications[0].appId
        world.partners[0].customers[0].consents = [SimulatedConsent(applicationId: appId, applicationGrants: [
            SimulatedGrant(enterpriseApplicationId: "00000003-0000-0000-c000-000000000000", scope: "User.Read.All"),
        ])]
        try await SimulatorHarness.run(world: world) { h in
            let token = try await h.partnerCenterToken()
            _ = try await h.deleteConsent(customer: h.partner.customers[0].tenantId, token: token)
            _ = try await h.postConsent(customer: h.partner.customers[1].tenantId, token: token)
            // when
            let r = try await h.send(.POST, "/_sim/reset")
            // then
            #expect(r.status == 204)
            #expect(await h.state.allConsents().keys.sorted() == [h.partner.customers[0].tenantId])
            #expect(h.state.calls().isEmpty)
        }
    }

    @Test func refreshTokenCanBeMintedDirectlyForDemos() async throws {
        try await SimulatorHarness.run { h in
            // given
            let minted = try await h.json(.POST, "/_sim/refresh-tokens", bearer: nil, body: [
                "clientId": h.app.appId, "userPrincipalName": h.partner.adminUsers[0].userPrincipalName,
            ])
            let rt = minted.json["refreshToken"] as? String ?? ""
            // when
            let r = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            // then
            #expect(r.status == 200)
        }
    }
}
