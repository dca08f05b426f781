import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §1.2–§1.7 (token endpoint grants and responses).
@Suite struct EntraTokenTests {
    @Test func authorizationCodeCanBeRedeemedOnlyOnce() async throws {
        try await SimulatorHarness.run { h in
            // given
            let (code, verifier, _) = try await h.authorize()
            let first = try await h.redeem(code: code, verifier: verifier)
            // when
            let second = try await h.redeem(code: code, verifier: verifier)
            // then
            #expect(first.status == 200)
            #expect(second.status == 400)
            #expect(second.json["error"] as? String == "invalid_grant")
            #expect((second.json["error_codes"] as? [Int]) == [54005])
        }
    }

    @Test func wrongPKCEVerifierIsRefused() async throws {
        try await SimulatorHarness.run { h in
            // given
            let (code, _, _) = try await h.authorize()
            // when
            let r = try await h.redeem(code: code, verifier: "not-the-verifier-at-all-not-the-verifier")
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func v2ResponseHasNumericExpiryAndPrefixedScope() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let r = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            // then
            #expect(r.json["expires_in"] is Int)
            #expect(r.json["ext_expires_in"] is Int)
            #expect(r.json["token_type"] as? String == "Bearer")
            #expect((r.json["scope"] as? String)?.hasPrefix("https://api.partnercenter.microsoft.com/") == true)
            let claims = SimulatorHarness.claims(r.json["access_token"] as? String ?? "")
            #expect(claims["aud"] as? String == "https://api.partnercenter.microsoft.com")
            #expect(claims["tid"] as? String == h.partner.tenantId)
            #expect(claims["appid"] as? String == h.app.appId)
        }
    }

    @Test func v1ResponseHasStringNumericsAndResource() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/token", [
                ("grant_type", "refresh_token"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("refresh_token", rt), ("resource", "https://api.partnercenter.microsoft.com"), ("scope", "openid"),
            ])
            // then
            #expect(r.status == 200)
            for key in ["expires_in", "ext_expires_in", "expires_on", "not_before"] { #expect(r.json[key] is String, "\(key)") }
            #expect(r.json["resource"] as? String == "https://api.partnercenter.microsoft.com")
            #expect(r.json["id_token"] is String)
            #expect(r.json["refresh_token"] is String)
        }
    }

    @Test func everyRefreshReturnsANewRefreshTokenAndTheOldOneStillWorks() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let first = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            let again = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            // then
            let newRT = first.json["refresh_token"] as? String
            #expect(newRT != nil && newRT != rt)
            #expect(again.status == 200)
        }
    }

    @Test func clientSecretInHTTPBasicIsAccepted() async throws {
        try await SimulatorHarness.run { h in
            // given
            let basic = Data("\(h.app.appId):sim-secret".utf8).base64EncodedString()
            // when
            let r = try await h.form("/\(h.app.homeTenantId)/oauth2/v2.0/token",
                                     [("grant_type", "client_credentials"), ("scope", "https://vault.azure.net/.default")],
                                     headers: [("Authorization", "Basic \(basic)")])
            // then
            #expect(r.status == 200)
            #expect(SimulatorHarness.claims(r.json["access_token"] as? String ?? "")["idtyp"] as? String == "app")
        }
    }

    @Test func clientCredentialsRefuseScopesOfTwoResources() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(h.app.homeTenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("scope", "https://graph.microsoft.com/.default https://management.azure.com/.default"),
            ])
            // then
            #expect(r.status == 400)
            #expect((r.json["error_codes"] as? [Int]) == [700022])
        }
    }

    @Test func resourceParameterOnV2IsRefused() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(h.app.homeTenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("resource", "https://graph.microsoft.com"),
            ])
            // then
            #expect((r.json["error_codes"] as? [Int]) == [901002])
        }
    }

    @Test func errorBodyHasTheEntraShape() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "wrong"),
                ("scope", "https://graph.microsoft.com/.default"),
            ], headers: [("client-request-id", "11111111-2222-3333-4444-555555555555")])
            // then
            let body = r.json
            let description = body["error_description"] as? String ?? ""
            #expect(description.hasPrefix("AADSTS7000215: "))
            #expect(description.contains("\r\nTrace ID: "))
            #expect(description.contains("\r\nCorrelation ID: 11111111-2222-3333-4444-555555555555\r\nTimestamp: "))
            let timestamp = body["timestamp"] as? String ?? ""
            #expect(timestamp.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil)
            #expect(body["trace_id"] is String)
            #expect(body["error_uri"] as? String == "https://login.microsoftonline.com/error?code=7000215")
        }
    }

    @Test func v1AuthorizationCodeFlowIssuesAPartnerCenterToken() async throws {
        try await SimulatorHarness.run { h in
            // given
            let query = "client_id=\(h.app.appId)&response_type=code&redirect_uri=\(SimulatorHarness.encode(SimulatorHarness.redirectURI))&state=v1"
            let location = SimulatorHarness.query(of: try await h.get("/common/oauth2/authorize?\(query)").header("Location") ?? "")
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/token", [
                ("grant_type", "authorization_code"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("code", location["code"] ?? ""), ("redirect_uri", SimulatorHarness.redirectURI),
                ("resource", "https://api.partnercenter.microsoft.com"),
            ])
            // then
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json["resource"] as? String == "https://api.partnercenter.microsoft.com")
            #expect(r.json["refresh_token"] is String)
            #expect(SimulatorHarness.claims(r.json["access_token"] as? String ?? "")["ver"] as? String == "1.0")
        }
    }

    @Test func defaultScopeMixedWithNamedScopesIs70011() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let r = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://graph.microsoft.com/.default https://graph.microsoft.com/User.Read")
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "invalid_scope")
            #expect((r.json["error_codes"] as? [Int]) == [70011])
        }
    }
}
