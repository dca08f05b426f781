import Crypto
import Foundation
import PartnerCenterSimulator

/// The Secure Application Model steps by raw HTTP, as the product performs them.
extension SimulatorHarness {
    static let redirectURI = "http://localhost/callback"
    static let graphScopes = "Directory.Read.All,User.Read.All"

    var partner: SimulatedPartner { world.partners[0] }

    /// authorize (PKCE S256) → code; returns the code and the verifier.
    func authorize(partner: SimulatedPartner? = nil, loginHint: String? = nil, scope: String = "https://api.partnercenter.microsoft.com/user_impersonation offline_access openid", state: String = "xyz") async throws -> (code: String, verifier: String, location: [String: String]) {
        let tenant = (partner ?? self.partner).tenantId
        let verifier = "verifier-\(UUID().uuidString)-\(UUID().uuidString)"
        let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        var items = [
            ("client_id", app.appId), ("response_type", "code"), ("redirect_uri", Self.redirectURI), ("scope", scope),
            ("state", state), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        if let loginHint { items.append(("login_hint", loginHint)) }
        let query = items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await get("/\(tenant)/oauth2/v2.0/authorize?\(query)")
        let location = Self.query(of: response.header("Location") ?? "")
        return (location["code"] ?? "", verifier, location)
    }

    func redeem(code: String, verifier: String, tenant: String? = nil, scope: String = "https://api.partnercenter.microsoft.com/user_impersonation offline_access openid") async throws -> HTTPResult {
        try await form("/\(tenant ?? partner.tenantId)/oauth2/v2.0/token", [
            ("grant_type", "authorization_code"), ("client_id", app.appId), ("client_secret", app.clientSecrets[0].value),
            ("code", code), ("redirect_uri", Self.redirectURI), ("code_verifier", verifier), ("scope", scope),
        ])
    }

    /// A partner's refresh token, captured through the interactive flow.
    func partnerRefreshToken(_ partner: SimulatedPartner? = nil, loginHint: String? = nil) async throws -> String {
        let p = partner ?? self.partner
        let (code, verifier, _) = try await authorize(partner: p, loginHint: loginHint)
        let redeemed = try await redeem(code: code, verifier: verifier, tenant: p.tenantId)
        return redeemed.json["refresh_token"] as? String ?? ""
    }

    func refresh(_ refreshToken: String, tenant: String, scope: String) async throws -> HTTPResult {
        try await form("/\(tenant)/oauth2/v2.0/token", [
            ("grant_type", "refresh_token"), ("client_id", app.appId), ("client_secret", app.clientSecrets[0].value),
            ("refresh_token", refreshToken), ("scope", scope),
        ])
    }

    /// A Partner Center App+User access token for the partner.
    func partnerCenterToken(_ partner: SimulatedPartner? = nil, loginHint: String? = nil) async throws -> String {
        let p = partner ?? self.partner
        let rt = try await partnerRefreshToken(p, loginHint: loginHint)
        let response = try await refresh(rt, tenant: p.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
        return response.json["access_token"] as? String ?? ""
    }

    func consentBody(appId: String? = nil, graphScopes: String = Self.graphScopes, arm: Bool = true) -> [String: Any] {
        var grants: [[String: Any]] = [["enterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "scope": graphScopes]]
        if arm { grants.append(["enterpriseApplicationId": "797f4846-ba00-4fd7-ba43-dac1f8f63013", "scope": "user_impersonation"]) }
        return ["applicationId": appId ?? app.appId, "displayName": app.displayName, "applicationGrants": grants]
    }

    func postConsent(customer: String, token: String, requestId: String? = nil, body: Any? = nil) async throws -> HTTPResult {
        try await json(.POST, "/v1/customers/\(customer)/applicationconsents", bearer: token, body: body ?? consentBody(),
                       headers: requestId.map { [("MS-RequestId", $0)] } ?? [])
    }

    func deleteConsent(customer: String, token: String, requestId: String? = nil) async throws -> HTTPResult {
        try await send(.DELETE, "/v1/customers/\(customer)/applicationconsents/\(app.appId)",
                       headers: [("Authorization", "Bearer \(token)")] + (requestId.map { [("MS-RequestId", $0)] } ?? []))
    }

    /// Decodes a JWT payload without verifying it (what a client can see).
    static func claims(_ jwt: String) -> [String: Any] {
        let parts = jwt.split(separator: ".")
        guard parts.count >= 2 else { return [:] }
        var s = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s.append("=") }
        guard let data = Data(base64Encoded: s) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}
