import Foundation
import PartnerCenterSimulator

/// Consents through Partner Center, then reads them back through Graph, as a verify-first
/// reconcile does (reference §12.4).
extension SimulatorHarness {
    static let graphAppId = "00000003-0000-0000-c000-000000000000"
    static let armAppId = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

    /// A partner's refresh token and Partner Center token, after consenting in `customers` with
    /// `consentBody()` (Graph `Directory.Read.All User.Read.All`, ARM `user_impersonation`).
    func consented(_ customers: [String]) async throws -> (refreshToken: String, partnerCenter: String) {
        let rt = try await partnerRefreshToken()
        let pc = try await refresh(rt, tenant: partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default").json["access_token"] as? String ?? ""
        for customer in customers { _ = try await postConsent(customer: customer, token: pc) }
        return (rt, pc)
    }

    /// A Graph token in a customer tenant (needs a consent there).
    func graphToken(_ refreshToken: String, customer: String) async throws -> String {
        try await refresh(refreshToken, tenant: customer, scope: "https://graph.microsoft.com/.default").json["access_token"] as? String ?? ""
    }

    /// Our application's service principal id in the token's tenant, or nil when Graph lists none.
    func ourServicePrincipalId(graph: String) async throws -> String? {
        let sps = try await get("/v1.0/servicePrincipals?$filter=appId%20eq%20'\(app.appId)'", bearer: graph)
        return (sps.json["value"] as? [[String: Any]])?.first?["id"] as? String
    }

    /// The path of our service principal's delegated grants in the token's tenant.
    func ourGrantsPath(graph: String) async throws -> String {
        let spId = try await ourServicePrincipalId(graph: graph) ?? "none"
        return "/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants"
    }

    /// `resource app id → scope` of the grants a Graph answer lists, mapping each `resourceId` to its
    /// service principal's `appId` through Graph's own listing, as a client must.
    func scopesByResource(_ grants: HTTPResult, graph: String) async throws -> [String: String] {
        let sps = try await get("/v1.0/servicePrincipals", bearer: graph).json["value"] as? [[String: Any]] ?? []
        var appIds: [String: String] = [:]
        for sp in sps { if let id = sp["id"] as? String { appIds[id] = sp["appId"] as? String } }
        var result: [String: String] = [:]
        for grant in grants.json["value"] as? [[String: Any]] ?? [] {
            let resourceId = grant["resourceId"] as? String ?? ""
            result[appIds[resourceId] ?? resourceId] = grant["scope"] as? String ?? ""
        }
        return result
    }

    /// Graph's `{"error":{"code"}}`.
    static func graphErrorCode(_ r: HTTPResult) -> String? { (r.json["error"] as? [String: Any])?["code"] as? String }
}
