import Foundation
import PartnerCenterSimulator
import Testing

/// `POST /_sim/consents/seed` and the Graph reads reconcile makes (`appId in (...)`, a service
/// principal by id): tenants that already hold a consent, as after an earlier grant (issue #16).
@Suite struct ConsentSeedTests {
    static let grants: [[String: String]] = [
        ["enterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "scope": "Directory.Read.All,User.Read.All"],
        ["enterpriseApplicationId": "797f4846-ba00-4fd7-ba43-dac1f8f63013", "scope": "user_impersonation"],
    ]

    @Test func seededConsentsAreWhatGraphShowsInEveryTenant() async throws {
        try await SimulatorHarness.run { h in
            // when every customer is seeded
            let answer = try await h.json(
                .POST, "/_sim/consents/seed", bearer: nil,
                body: ["applicationId": h.app.appId, "displayName": "Seeded", "applicationGrants": Self.grants])

            // then each holds the consent: our service principal and the resources' in one read, our grants by id
            #expect(answer.status == 200)
            #expect(answer.json["customers"] as? Int == h.world.partners.reduce(0) { $0 + $1.customers.count })
            let rt = try await h.partnerRefreshToken()
            let customer = h.partner.customers[1].tenantId
            let graph = try await h.refresh(rt, tenant: customer, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
            let filter = SimulatorHarness.encode("appId in ('\(h.app.appId)', '00000003-0000-0000-c000-000000000000')")
            let principals = try await h.get("/v1.0/servicePrincipals?$filter=\(filter)", bearer: graph).json["value"] as? [[String: Any]] ?? []
            #expect(Set(principals.compactMap { $0["appId"] as? String }) == [h.app.appId.lowercased(), "00000003-0000-0000-c000-000000000000"])
            let ours = principals.first { $0["appId"] as? String == h.app.appId.lowercased() }?["id"] as? String ?? ""
            let grants = try await h.get("/v1.0/servicePrincipals/\(ours)/oauth2PermissionGrants", bearer: graph).json["value"] as? [[String: Any]] ?? []
            #expect(grants.compactMap { $0["scope"] as? String }.sorted() == ["Directory.Read.All User.Read.All", "user_impersonation"])
            let resource = grants.first?["resourceId"] as? String ?? ""
            let byID = try await h.get("/v1.0/servicePrincipals/\(resource)", bearer: graph)
            #expect(byID.status == 200)
            #expect(["00000003-0000-0000-c000-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013"].contains(byID.json["appId"] as? String ?? ""))
            let unknown = try await h.get("/v1.0/servicePrincipals/00000000-0000-4000-8000-000000000000", bearer: graph)
            #expect(unknown.status == 404)
        }
    }

    @Test func aSeedWithoutGrantsIsRefused() async throws {
        try await SimulatorHarness.run { h in
            let answer = try await h.json(.POST, "/_sim/consents/seed", bearer: nil, body: ["applicationId": h.app.appId, "applicationGrants": []])
            #expect(answer.status == 400)
            #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "invalid_seed")
        }
    }
}
