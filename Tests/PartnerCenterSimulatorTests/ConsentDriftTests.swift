import Foundation
import PartnerCenterSimulator
import Testing

/// Drift injected through `/_sim/customers/{id}/drift` and `/_sim/drift`: what Graph shows changes,
/// Partner Center's record of the POST does not, except that a deleted service principal is a
/// consent gone for both.
@Suite struct ConsentDriftTests {
    static let graph = SimulatorHarness.graphAppId
    static let arm = SimulatorHarness.armAppId

    private func drift(_ h: SimulatorHarness, _ customer: String, _ body: [String: Any]) async throws -> HTTPResult {
        try await h.json(.POST, "/_sim/customers/\(customer)/drift", bearer: nil, body: body)
    }

    private func grants(_ h: SimulatorHarness, graph: String) async throws -> [String: String] {
        guard let spId = try await h.ourServicePrincipalId(graph: graph) else { return [:] }
        return try await h.scopesByResource(try await h.get("/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants", bearer: graph), graph: graph)
    }

    @Test func aRemovedScopeShowsInGraphButNotInPartnerCentersRecord() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let token = try await h.graphToken(rt, customer: customer)
            // when
            let r = try await drift(h, customer, ["kind": "removeScope", "resourceAppId": Self.graph, "scope": "User.Read.All"])
            // then
            #expect(r.status == 200)
            let seen = try await grants(h, graph: token)
            #expect(seen == [Self.graph: "Directory.Read.All", Self.arm: "user_impersonation"])
            let record = await h.state.consents(customerId: customer)
            #expect(record.first?.applicationGrants.first?.scope == SimulatorHarness.graphScopes)
        }
    }

    @Test func anAddedScopeJoinsTheGrant() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let token = try await h.graphToken(rt, customer: customer)
            // when: named by the resource's URI rather than its app id
            let r = try await drift(h, customer, ["kind": "addScope", "resourceAppId": "https://graph.microsoft.com", "scope": "Mail.Read"])
            // then
            #expect(r.status == 200)
            let seen = try await grants(h, graph: token)
            #expect(seen[Self.graph] == "Directory.Read.All User.Read.All Mail.Read")
        }
    }

    @Test func anAddedScopeOnAnUngrantedResourceCreatesAGrant() async throws {
        try await SimulatorHarness.run { h in
            // given: a consent without ARM
            let customer = h.partner.customers[0].tenantId
            let rt = try await h.partnerRefreshToken()
            let pc = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default").json["access_token"] as? String ?? ""
            _ = try await h.postConsent(customer: customer, token: pc, body: h.consentBody(arm: false))
            let token = try await h.graphToken(rt, customer: customer)
            // when
            let r = try await drift(h, customer, ["kind": "addScope", "resourceAppId": Self.arm, "scope": "user_impersonation"])
            // then
            #expect(r.status == 200)
            let seen = try await grants(h, graph: token)
            #expect(seen == [Self.graph: SimulatorHarness.graphScopes.replacingOccurrences(of: ",", with: " "), Self.arm: "user_impersonation"])
        }
    }

    @Test func removingTheLastScopeRemovesTheGrant() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let token = try await h.graphToken(rt, customer: customer)
            // when
            let r = try await drift(h, customer, ["kind": "removeScope", "resourceAppId": Self.arm, "scope": "user_impersonation"])
            // then
            #expect(r.status == 200)
            let seen = try await grants(h, graph: token)
            #expect(seen.keys.sorted() == [Self.graph])
        }
    }

    @Test func aDeletedServicePrincipalIsAConsentGoneThatAPostRecreates() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, pc) = try await h.consented([customer])
            let earlier = try await h.graphToken(rt, customer: customer)
            let before = try await h.ourServicePrincipalId(graph: earlier)
            // when
            let r = try await drift(h, customer, ["kind": "deleteServicePrincipal"])
            let gone = try await h.ourServicePrincipalId(graph: earlier)
            let refused = try await h.refresh(rt, tenant: customer, scope: "https://graph.microsoft.com/.default")
            let deleted = try await h.deleteConsent(customer: customer, token: pc)
            let posted = try await h.postConsent(customer: customer, token: pc)
            let token = try await h.graphToken(rt, customer: customer)
            let after = try await h.ourServicePrincipalId(graph: token)
            // then
            #expect(r.status == 200)
            #expect(r.json["servicePrincipalId"] == nil)
            #expect(before != nil)
            #expect(gone == nil)
            #expect((refused.json["error_codes"] as? [Int]) == [65001])
            #expect(deleted.status == 404)
            #expect(posted.status == 201)
            #expect(after != nil && after != before)
            let seen = try await grants(h, graph: token)
            #expect(seen == [Self.graph: "Directory.Read.All User.Read.All", Self.arm: "user_impersonation"])
        }
    }

    @Test func deleteThenPostRestoresExactlyThePostedGrants() async throws {
        try await SimulatorHarness.run { h in
            // given: drifted both ways
            let customer = h.partner.customers[0].tenantId
            let (rt, pc) = try await h.consented([customer])
            _ = try await drift(h, customer, ["kind": "removeScope", "resourceAppId": Self.graph, "scope": "User.Read.All"])
            _ = try await drift(h, customer, ["kind": "addScope", "resourceAppId": Self.arm, "scope": "extra_scope"])
            // when
            let deleted = try await h.deleteConsent(customer: customer, token: pc)
            let posted = try await h.postConsent(customer: customer, token: pc)
            let token = try await h.graphToken(rt, customer: customer)
            // then
            #expect([deleted.status, posted.status] as [Int] == [204, 201])
            let seen = try await grants(h, graph: token)
            #expect(seen == [Self.graph: "Directory.Read.All User.Read.All", Self.arm: "user_impersonation"])
        }
    }

    @Test func driftThatCannotApplyIsRefusedWithAStableCode() async throws {
        try await SimulatorHarness.run { h in
            // given
            let consented = h.partner.customers[0].tenantId
            let bare = h.partner.customers[1].tenantId
            _ = try await h.consented([consented])
            let removeMail: [String: Any] = ["kind": "removeScope", "resourceAppId": Self.graph, "scope": "Mail.Read"]
            // when
            let unknown = try await drift(h, UUID().uuidString.lowercased(), ["kind": "deleteServicePrincipal"])
            let noConsent = try await drift(h, bare, ["kind": "deleteServicePrincipal"])
            let notGranted = try await drift(h, consented, removeMail)
            let noScope = try await drift(h, consented, ["kind": "removeScope", "resourceAppId": Self.graph])
            let badKind = try await drift(h, consented, ["kind": "renameEverything"])
            // then
            let code = { (r: HTTPResult) in (r.json["error"] as? [String: Any])?["code"] as? String }
            #expect(unknown.status == 404 && code(unknown) == "unknown_customer")
            #expect(noConsent.status == 409 && code(noConsent) == "no_consent")
            #expect(notGranted.status == 409 && code(notGranted) == "scope_not_granted")
            #expect(noScope.status == 400 && code(noScope) == "invalid_drift")
            #expect(badKind.status == 400 && code(badKind) == "invalid_drift")
        }
    }

    @Test func bulkDriftChangesThatFractionOfTheConsentedCustomers() async throws {
        try await SimulatorHarness.run { h in
            // given: four consented customers, one not
            let customers = h.partner.customers.prefix(4).map(\.tenantId)
            let (rt, _) = try await h.consented(customers)
            // when
            let r = try await h.json(.POST, "/_sim/drift", bearer: nil, body: [
                "kind": "removeScope", "resourceAppId": Self.graph, "scope": "User.Read.All", "fraction": 0.5, "seed": 7,
            ])
            // then
            #expect(r.status == 200)
            #expect(r.json["candidates"] as? Int == 4)
            #expect(r.json["count"] as? Int == 2)
            let drifted = Set(r.json["customerIds"] as? [String] ?? [])
            #expect(drifted.count == 2 && drifted.isSubset(of: customers))
            for customer in customers {
                let seen = try await grants(h, graph: try await h.graphToken(rt, customer: customer))
                #expect(seen[Self.graph] == (drifted.contains(customer) ? "Directory.Read.All" : "Directory.Read.All User.Read.All"))
            }
        }
    }

    @Test func bulkDriftWithTheSameSeedChoosesTheSameCustomers() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customers = h.partner.customers.prefix(4).map(\.tenantId)
            let (_, pc) = try await h.consented(customers)
            let body: [String: Any] = ["kind": "removeScope", "resourceAppId": Self.graph, "scope": "User.Read.All", "fraction": 0.5, "seed": 42]
            let first = try await h.json(.POST, "/_sim/drift", bearer: nil, body: body).json["customerIds"] as? [String] ?? []
            // when: the drifted consents are repaired, then the same drift is asked for again
            for customer in first {
                _ = try await h.deleteConsent(customer: customer, token: pc)
                _ = try await h.postConsent(customer: customer, token: pc)
            }
            let second = try await h.json(.POST, "/_sim/drift", bearer: nil, body: body)
            // then
            #expect(first.count == 2)
            #expect(second.json["candidates"] as? Int == 4)
            #expect(second.json["customerIds"] as? [String] == first)
        }
    }

    @Test func bulkDriftRefusesAFractionOutsideZeroToOne() async throws {
        try await SimulatorHarness.run { h in
            // when
            let tooMuch = try await h.json(.POST, "/_sim/drift", bearer: nil, body: ["kind": "deleteServicePrincipal", "fraction": 1.5])
            let none = try await h.json(.POST, "/_sim/drift", bearer: nil, body: ["kind": "deleteServicePrincipal"])
            // then
            for r in [tooMuch, none] {
                #expect(r.status == 400)
                #expect((r.json["error"] as? [String: Any])?["code"] as? String == "invalid_drift")
            }
        }
    }

    @Test func aWorldFilesDriftAppliesAtStartAndAfterAReset() async throws {
        // given: a world whose first customer already holds a consent, and drift on it in the options
        var world = SimulatorWorld.generated(seed: 7, partners: 1, customersPerPartner: 2)
        let customer = world.partners[0].customers[0].tenantId
        world.partners[0].customers[0].consents = [SimulatedConsent(applicationId: world.applications[0].appId, applicationGrants: [
            SimulatedGrant(enterpriseApplicationId: Self.graph, scope: "Directory.Read.All,User.Read.All"),
        ])]
        var options = SimulatorOptions()
        options.drift = [DriftSetting(drift: .removeScope("User.Read.All", resourceAppId: Self.graph), customerIds: [customer])]
        try await SimulatorHarness.run(world: world, options: options) { h in
            // when
            let rt = try await h.partnerRefreshToken()
            let atStart = try await grants(h, graph: try await h.graphToken(rt, customer: customer))
            _ = try await h.send(.POST, "/_sim/reset")
            let rt2 = try await h.partnerRefreshToken()
            let afterReset = try await grants(h, graph: try await h.graphToken(rt2, customer: customer))
            // then
            #expect(atStart == [Self.graph: "Directory.Read.All"])
            #expect(afterReset == [Self.graph: "Directory.Read.All"])
        }
    }

    @Test func worldFileDriftSettingsRoundTripAndNeedOneSelection() throws {
        // given
        let good = try SimulatorSettingsTests.worldFile(options: #"{"drift": [{"kind": "deleteServicePrincipal", "fraction": 0.5, "seed": 3}]}"#)
        let both = try SimulatorSettingsTests.worldFile(options: #"{"drift": [{"kind": "deleteServicePrincipal", "fraction": 0.5, "customerIds": ["a"]}]}"#)
        // when
        let file = try SimulatorWorldFile.decode(good)
        let again = try SimulatorWorldFile.decode(file.jsonData())
        // then
        #expect(file.options?.drift == [DriftSetting(drift: .deleteServicePrincipal(), fraction: 0.5, seed: 3)])
        #expect(again == file)
        #expect(throws: (any Error).self) { try SimulatorWorldFile.decode(both) }
    }
}
