import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §5 (customers list and paging) and §4.3 (error body).
@Suite struct CustomerPagingTests {
    static let world = SimulatorWorld.generated(seed: 21, partners: 2, customersPerPartner: 25)

    @Test func followingLinksNextVisitsEveryCustomerOnce() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            var seen: [String] = []
            var path = "/v1/customers?size=10"
            var headers: [(String, String)] = []
            // when
            while true {
                let page = try await h.get(path, bearer: token, headers: headers)
                #expect(page.status == 200)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                guard let next = (page.json["links"] as? [String: Any])?["next"] as? [String: Any] else { break }
                path = next["uri"] as? String ?? ""
                headers = (next["headers"] as? [[String: String]] ?? []).map { ($0["key"] ?? "", $0["value"] ?? "") }
            }
            // then
            #expect(seen == h.partner.customers.map(\.tenantId))
        }
    }

    @Test func nextLinkAndContinuationTokenHaveTheDocumentedShape() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let page = try await h.get("/v1/customers?size=10", bearer: token)
            // then
            let next = (page.json["links"] as? [String: Any])?["next"] as? [String: Any]
            #expect(next?["uri"] as? String == "/v1/customers?size=10&seekOperation=Next")
            #expect(next?["method"] as? String == "GET")
            let continuation = page.json["continuationToken"] as? String ?? ""
            #expect((next?["headers"] as? [[String: String]])?.first?["key"] == "MS-ContinuationToken")
            #expect((next?["headers"] as? [[String: String]])?.first?["value"] == continuation)
            #expect(continuation.contains("/") && continuation.contains(",") && continuation.contains("="))
            #expect(page.json["totalCount"] as? Int == 10)
            #expect((page.json["attributes"] as? [String: String])?["objectType"] == "Collection")
        }
    }

    @Test func lastPageHasNoNextLinkAndNoContinuationToken() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let page = try await h.get("/v1/customers?size=500", bearer: token)
            // then
            #expect((page.json["items"] as? [Any])?.count == 25)
            #expect((page.json["links"] as? [String: Any])?["next"] == nil)
            #expect(page.json["continuationToken"] == nil)
        }
    }

    @Test func topLevelContinuationTokenWorksWithSeekOperationNext() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            let first = try await h.get("/v1/customers?size=20", bearer: token)
            // when
            let second = try await h.get("/v1/customers?size=20&seekOperation=next", bearer: token,
                                         headers: [("MS-ContinuationToken", first.json["continuationToken"] as? String ?? "")])
            // then
            let ids = (second.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == h.partner.customers[20...].map(\.tenantId))
        }
    }

    @Test func tamperedContinuationTokenIs400Code2000() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/v1/customers?size=10&seekOperation=Next", bearer: token, headers: [("MS-ContinuationToken", "v1/AAAA,BBBB=")])
            // then
            #expect(r.status == 400)
            #expect(r.json["code"] as? Int == 2000)
            #expect(r.json["source"] as? String == "PartnerFD")
            #expect(r.json["data"] is [Any])
        }
    }

    @Test func expiredContinuationTokenIs400Code2000() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            let first = try await h.get("/v1/customers?size=10", bearer: token)
            h.state.advanceClock(by: 1_000)
            let fresh = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/v1/customers?size=10&seekOperation=Next", bearer: fresh,
                                    headers: [("MS-ContinuationToken", first.json["continuationToken"] as? String ?? "")])
            // then
            #expect(r.status == 400)
            #expect(r.json["code"] as? Int == 2000)
        }
    }

    @Test func sizeAboveTheMaximumIsClamped() async throws {
        // given
        var options = SimulatorOptions()
        options.paging.maxPageSize = 7
        try await SimulatorHarness.run(world: Self.world, options: options) { h in
            let token = try await h.partnerCenterToken()
            // when
            let page = try await h.get("/v1/customers?size=100", bearer: token)
            // then
            #expect((page.json["items"] as? [Any])?.count == 7)
        }
    }

    @Test func customerByIdReturnsTheCustomer() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[3]
            // when
            let r = try await h.get("/v1/customers/\(customer.tenantId)", bearer: token)
            // then
            #expect(r.status == 200)
            #expect((r.json["companyProfile"] as? [String: Any])?["companyName"] as? String == customer.companyName)
        }
    }

    @Test func customerOfAnotherPartnerIs403Code20002() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/v1/customers/\(h.world.partners[1].customers[0].tenantId)", bearer: token)
            // then
            #expect(r.status == 403)
            #expect(r.json["code"] as? Int == 20002)
        }
    }

    @Test func unknownCustomerIs404Code60003() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/v1/customers/\(UUID().uuidString.lowercased())", bearer: token)
            // then
            #expect(r.status == 404)
            #expect(r.json["code"] as? Int == 60003)
        }
    }

    @Test func appOnlyTokenMayListCustomers() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let appOnly = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("scope", "https://api.partnercenter.microsoft.com/.default"),
            ]).json["access_token"] as? String ?? ""
            // when
            let r = try await h.get("/v1/customers?size=5", bearer: appOnly)
            // then
            #expect(r.status == 200)
        }
    }

    @Test func missingTokenIs401() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // when
            let r = try await h.get("/v1/customers")
            // then
            #expect(r.status == 401)
            #expect(r.json["source"] as? String == "PartnerFD")
        }
    }
}
