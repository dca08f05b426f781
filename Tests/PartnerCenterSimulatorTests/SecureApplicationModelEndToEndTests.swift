import Foundation
import PartnerCenterSimulator
import Testing

/// The whole Secure Application Model by raw HTTP against a 3 × 1,000 world (reference §0, §1, §5, §6, §7):
/// authorize → code → token → list customers across pages → DELETE → POST → customer-tenant token → Graph check.
@Suite struct SecureApplicationModelEndToEndTests {
    @Test func partnerConsentThenRegrantThenVerifyInTheCustomerTenant() async throws {
        // given
        let world = SimulatorWorld.generated(seed: 2026, partners: 3, customersPerPartner: 1_000)
        try await SimulatorHarness.run(world: world) { h in
            let partner = h.world.partners[2]

            // when: the partner's admin consents interactively (authorization code + PKCE)
            let (code, verifier, location) = try await h.authorize(partner: partner, state: "e2e")
            #expect(location["state"] == "e2e")
            let redeemed = try await h.redeem(code: code, verifier: verifier, tenant: partner.tenantId)
            #expect(redeemed.status == 200)
            let refreshToken = try #require(redeemed.json["refresh_token"] as? String)

            // and the stored refresh token is traded for a Partner Center token
            let pcResponse = try await h.refresh(refreshToken, tenant: partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            let pcToken = try #require(pcResponse.json["access_token"] as? String)
            let rotated = try #require(pcResponse.json["refresh_token"] as? String)
            #expect(rotated != refreshToken)

            // and every customer is listed by following links.next
            var customerIds: [String] = []
            var path = "/v1/customers?size=300"
            var headers: [(String, String)] = []
            var pages = 0
            while true {
                let page = try await h.get(path, bearer: pcToken, headers: headers)
                #expect(page.status == 200)
                pages += 1
                customerIds += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                guard let next = (page.json["links"] as? [String: Any])?["next"] as? [String: Any] else { break }
                path = next["uri"] as? String ?? ""
                headers = (next["headers"] as? [[String: String]] ?? []).map { ($0["key"] ?? "", $0["value"] ?? "") }
            }
            #expect(pages == 4)
            #expect(customerIds.count == 1_000)
            #expect(Set(customerIds) == Set(partner.customers.map(\.tenantId)))

            // and one customer is re-granted: DELETE (nothing there yet → 404), then POST
            let customer = customerIds[777]
            let correlation = UUID().uuidString
            let delete = try await h.send(.DELETE, "/v1/customers/\(customer)/applicationconsents/\(h.app.appId)", headers: [
                ("Authorization", "Bearer \(pcToken)"), ("MS-RequestId", UUID().uuidString), ("MS-CorrelationId", correlation),
            ])
            let post = try await h.json(.POST, "/v1/customers/\(customer)/applicationconsents", bearer: pcToken, body: h.consentBody(),
                                        headers: [("MS-RequestId", UUID().uuidString), ("MS-CorrelationId", correlation)])

            // and the same refresh token is redeemed against the customer tenant for Graph
            let graphResponse = try await h.refresh(rotated, tenant: customer, scope: "https://graph.microsoft.com/.default")
            let graphToken = try #require(graphResponse.json["access_token"] as? String)
            let sps = try await h.get("/v1.0/servicePrincipals?$filter=appId%20eq%20'\(h.app.appId)'", bearer: graphToken)
            let spId = try #require((sps.json["value"] as? [[String: Any]])?.first?["id"] as? String)
            let grants = try await h.get("/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants", bearer: graphToken)

            // then
            #expect(delete.status == 404)
            #expect(post.status == 201)
            #expect(SimulatorHarness.claims(graphToken)["tid"] as? String == customer)
            let byResource = Dictionary(uniqueKeysWithValues: (grants.json["value"] as? [[String: Any]] ?? []).compactMap { g -> (String, String)? in
                guard let r = g["resourceId"] as? String, let s = g["scope"] as? String else { return nil }
                return (r, s)
            })
            #expect(Set(byResource.values) == ["Directory.Read.All User.Read.All", "user_impersonation"])
            let otherCustomer = customerIds[0]
            let refused = try await h.refresh(rotated, tenant: otherCustomer, scope: "https://graph.microsoft.com/.default")
            #expect((refused.json["error_codes"] as? [Int]) == [65001])
        }
    }
}
