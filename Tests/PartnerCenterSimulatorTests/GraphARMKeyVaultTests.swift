import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §7 (verifying consent through Graph and ARM) and the Key Vault secret store of the SAM samples.
@Suite struct GraphARMKeyVaultTests {
    /// Consents in customer 0 and returns the partner's refresh token.
    private func consented(_ h: SimulatorHarness) async throws -> String {
        let rt = try await h.partnerRefreshToken()
        let pc = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default").json["access_token"] as? String ?? ""
        _ = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: pc)
        return rt
    }

    @Test func consentShowsUpAsServicePrincipalAndPermissionGrants() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await consented(h)
            let customer = h.partner.customers[0].tenantId
            let graph = try await h.refresh(rt, tenant: customer, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
            // when
            let sps = try await h.get("/v1.0/servicePrincipals?$filter=appId%20eq%20'\(h.app.appId)'", bearer: graph)
            let spId = ((sps.json["value"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let grants = try await h.get("/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants", bearer: graph)
            // then
            #expect((sps.json["value"] as? [Any])?.count == 1)
            let scopes = (grants.json["value"] as? [[String: Any]] ?? []).compactMap { $0["scope"] as? String }.sorted()
            #expect(scopes == ["Directory.Read.All User.Read.All", "user_impersonation"])
            #expect((grants.json["value"] as? [[String: Any]])?.first?["consentType"] as? String == "AllPrincipals")
        }
    }

    @Test func deletedConsentRemovesTheServicePrincipal() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await consented(h)
            let customer = h.partner.customers[0].tenantId
            let graph = try await h.refresh(rt, tenant: customer, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
            let pc = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default").json["access_token"] as? String ?? ""
            // when
            _ = try await h.deleteConsent(customer: customer, token: pc)
            let sps = try await h.get("/v1.0/servicePrincipals?$filter=appId%20eq%20'\(h.app.appId)'", bearer: graph)
            // then
            #expect((sps.json["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func organizationIsTheCustomerTenant() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await consented(h)
            let customer = h.partner.customers[0]
            let graph = try await h.refresh(rt, tenant: customer.tenantId, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
            // when
            let org = try await h.get("/v1.0/organization", bearer: graph)
            // then
            let first = (org.json["value"] as? [[String: Any]])?.first
            #expect(first?["id"] as? String == customer.tenantId)
            #expect(((first?["verifiedDomains"] as? [[String: Any]])?.first?["name"]) as? String == customer.domain)
        }
    }

    @Test func armListsSubscriptionsOnceARMIsConsented() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await consented(h)
            let customer = h.partner.customers[0]
            let arm = try await h.refresh(rt, tenant: customer.tenantId, scope: "https://management.azure.com/user_impersonation").json["access_token"] as? String ?? ""
            // when
            let subs = try await h.get("/subscriptions?api-version=2022-12-01", bearer: arm)
            // then
            let ids = (subs.json["value"] as? [[String: Any]] ?? []).compactMap { $0["subscriptionId"] as? String }
            #expect(ids == customer.subscriptionIds)
        }
    }

    @Test func graphRefusesAPartnerCenterToken() async throws {
        try await SimulatorHarness.run { h in
            // given
            let pc = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/v1.0/organization", bearer: pc)
            // then
            #expect(r.status == 401)
            #expect((r.json["error"] as? [String: Any])?["code"] as? String == "InvalidAuthenticationToken")
        }
    }

    @Test func keyVaultKeepsVersionsOfASecret() async throws {
        try await SimulatorHarness.run { h in
            // given
            let kv = try await h.form("/\(h.app.homeTenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"), ("scope", "https://vault.azure.net/.default"),
            ]).json["access_token"] as? String ?? ""
            let v1 = try await h.json(.PUT, "/secrets/partner-rt?api-version=7.4", bearer: kv, body: ["value": "one"])
            _ = try await h.json(.PUT, "/secrets/partner-rt?api-version=7.4", bearer: kv, body: ["value": "two"])
            // when
            let latest = try await h.get("/secrets/partner-rt?api-version=7.4", bearer: kv)
            let firstVersion = (v1.json["id"] as? String ?? "").split(separator: "/").last.map(String.init) ?? ""
            let old = try await h.get("/secrets/partner-rt/\(firstVersion)?api-version=7.4", bearer: kv)
            let deleted = try await h.send(.DELETE, "/secrets/partner-rt?api-version=7.4", headers: [("Authorization", "Bearer \(kv)")])
            let gone = try await h.get("/secrets/partner-rt?api-version=7.4", bearer: kv)
            // then
            #expect(latest.json["value"] as? String == "two")
            #expect(old.json["value"] as? String == "one")
            #expect(deleted.status == 200)
            #expect(gone.status == 404)
        }
    }

    @Test func keyVaultRequiresAVaultToken() async throws {
        try await SimulatorHarness.run { h in
            // given
            let pc = try await h.partnerCenterToken()
            // when
            let r = try await h.get("/secrets/anything?api-version=7.4", bearer: pc)
            // then
            #expect(r.status == 401)
            #expect(r.header("WWW-Authenticate")?.contains("vault.azure.net") == true)
        }
    }
}
