import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §1.2 (authorize request and redirect).
@Suite struct EntraAuthorizeTests {
    @Test func authorizeRedirectsWithCodeAndEchoedState() async throws {
        try await SimulatorHarness.run { h in
            // when
            let (code, _, location) = try await h.authorize(state: "s-123")
            // then
            #expect(!code.isEmpty)
            #expect(location["state"] == "s-123")
        }
    }

    @Test func unregisteredRedirectURIIsRefusedWithoutRedirect() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.get("/\(h.partner.tenantId)/oauth2/v2.0/authorize?client_id=\(h.app.appId)&response_type=code&redirect_uri=http%3A%2F%2Fevil.example%2Fcb&state=x")
            // then
            #expect(r.status == 400)
            #expect(r.header("Location") == nil)
            #expect((r.json["error_codes"] as? [Int]) == [50011])
        }
    }

    @Test func forcedAuthorizeErrorRedirectsWithErrorAndState() async throws {
        try await SimulatorHarness.run { h in
            // given
            h.state.updateFaults { $0.authorizeError = AuthorizeErrorFault() }
            // when
            let (code, _, location) = try await h.authorize(state: "keep-me")
            // then
            #expect(code.isEmpty)
            #expect(location["error"] == "access_denied")
            #expect(location["error_description"]?.hasPrefix("AADSTS65004") == true)
            #expect(location["state"] == "keep-me")
        }
    }

    @Test func forcedAuthorizeErrorAppliesToTheNextRequestOnly() async throws {
        try await SimulatorHarness.run { h in
            // given
            h.state.updateFaults { $0.authorizeError = AuthorizeErrorFault(error: "interaction_required", errorDescription: "AADSTS50076: MFA required.") }
            _ = try await h.authorize()
            // when
            let (code, _, _) = try await h.authorize()
            // then
            #expect(!code.isEmpty)
        }
    }

    @Test func loginHintPicksTheSignedInUser() async throws {
        try await SimulatorHarness.run { h in
            // given
            let operatorUser = h.partner.adminUsers[1]
            let (code, verifier, _) = try await h.authorize(loginHint: operatorUser.userPrincipalName)
            // when
            let token = try await h.redeem(code: code, verifier: verifier)
            // then
            let id = SimulatorHarness.claims(token.json["id_token"] as? String ?? "")
            #expect(id["upn"] as? String == operatorUser.userPrincipalName)
            #expect(id["oid"] as? String == operatorUser.objectId)
        }
    }

    @Test func idTokenCarriesTenantUserAndMFA() async throws {
        try await SimulatorHarness.run { h in
            // given
            let (code, verifier, _) = try await h.authorize()
            // when
            let token = try await h.redeem(code: code, verifier: verifier)
            // then
            let id = SimulatorHarness.claims(token.json["id_token"] as? String ?? "")
            #expect(id["tid"] as? String == h.partner.tenantId)
            #expect(id["aud"] as? String == h.app.appId)
            #expect(id["preferred_username"] as? String == h.partner.adminUsers[0].userPrincipalName)
            #expect((id["amr"] as? [String])?.contains("mfa") == true)
        }
    }

    @Test func plusEncodedSpacesInTheScopeAreSpaces() async throws {
        try await SimulatorHarness.run { h in
            // given
            let query = "client_id=\(h.app.appId)&response_type=code&redirect_uri=\(SimulatorHarness.encode(SimulatorHarness.redirectURI))&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fuser_impersonation+offline_access"
            let code = SimulatorHarness.query(of: try await h.get("/\(h.partner.tenantId)/oauth2/v2.0/authorize?\(query)").header("Location") ?? "")["code"] ?? ""
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "authorization_code"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("code", code), ("redirect_uri", SimulatorHarness.redirectURI),
            ])
            // then
            #expect(r.json["refresh_token"] is String)
            #expect(r.json["scope"] as? String == "https://api.partnercenter.microsoft.com/user_impersonation")
        }
    }

    @Test func formPostResponseModeReturnsAnAutoPostingForm() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.get("/\(h.partner.tenantId)/oauth2/v2.0/authorize?client_id=\(h.app.appId)&response_type=code&response_mode=form_post&redirect_uri=\(SimulatorHarness.encode(SimulatorHarness.redirectURI))&state=fp")
            // then
            #expect(r.status == 200)
            #expect(r.text.contains("action=\"\(SimulatorHarness.redirectURI)\""))
            #expect(r.text.contains("name=\"code\""))
            #expect(r.text.contains("name=\"state\" value=\"fp\""))
        }
    }
}
