import Foundation
import Hummingbird

/// Microsoft Graph (`/v1.0/...`) and ARM (`/subscriptions`) as seen from one tenant, reflecting the
/// consents actually granted so a grant can be verified after the fact (reference §7).
struct GraphAndARMRoutes: Sendable {
    let state: SimulatorState

    private struct Collection<T: Encodable>: Encodable {
        var value: [T]
    }

    private struct GraphErrorBody: Encodable {
        struct Inner: Encodable { var code: String; var message: String }
        var error: Inner
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1.0/organization") { request, _ in
            self.authorized(request, .graph) { tenantId in
                let domain = self.domain(of: tenantId)
                return HTTPResponses.json(Collection(value: [Organization(id: tenantId, displayName: self.name(of: tenantId), verifiedDomains: [
                    .init(name: domain, isDefault: true, isInitial: true, type: "Managed", capabilities: "Email, OfficeCommunicationsOnlineService"),
                ])]))
            }
        }
        router.get("/v1.0/domains") { request, _ in
            self.authorized(request, .graph) { tenantId in
                HTTPResponses.json(Collection(value: [Domain(id: self.domain(of: tenantId), isDefault: true, isInitial: true, isVerified: true)]))
            }
        }
        router.get("/v1.0/servicePrincipals") { request, _ in
            await self.authorizedAsync(request, .graph) { tenantId in
                let appIds = Self.appIdFilter(request.query("$filter"))
                return HTTPResponses.json(Collection(value: await self.servicePrincipals(tenantId: tenantId, appIds: appIds)))
            }
        }
        router.get("/v1.0/servicePrincipals/{id}") { request, context in
            await self.authorizedAsync(request, .graph) { tenantId in
                let id = (context.parameters.get("id") ?? "").lowercased()
                guard let principal = await self.servicePrincipals(tenantId: tenantId, appIds: nil).first(where: { $0.id == id }) else {
                    return HTTPResponses.json(
                        GraphErrorBody(error: .init(
                            code: "Request_ResourceNotFound",
                            message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")),
                        status: .notFound)
                }
                return HTTPResponses.json(principal)
            }
        }
        router.get("/v1.0/servicePrincipals/{id}/oauth2PermissionGrants") { request, context in
            await self.authorizedAsync(request, .graph) { tenantId in
                let spId = (context.parameters.get("id") ?? "").lowercased()
                let grants = await self.state.consentRecords(customerId: tenantId).filter { $0.servicePrincipalId == spId }.flatMap(\.grants)
                return HTTPResponses.json(Collection(value: grants))
            }
        }
        router.get("/subscriptions") { request, _ in
            self.authorized(request, .arm) { tenantId in
                guard request.query("api-version") != nil else {
                    return HTTPResponses.json(GraphErrorBody(error: .init(code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests.")), status: .badRequest)
                }
                let ids = self.state.index.customers[tenantId]?.customer.subscriptionIds ?? []
                return HTTPResponses.json(Collection(value: ids.map { Subscription(subscriptionId: $0, tenantId: tenantId) }))
            }
        }
    }

    /// `appId eq 'guid'` or `appId in ('guid', 'guid')` (quotes optional, case-insensitive), the
    /// filters the product uses; nil (no filter) for anything else.
    static func appIdFilter(_ filter: String?) -> [String]? {
        guard let filter = filter?.replacingOccurrences(of: "+", with: " ") else { return nil }
        let parts = filter.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0].lowercased() == "appid" else { return nil }
        let unquote = CharacterSet(charactersIn: "'\" ")
        switch parts[1].lowercased() {
        case "eq":
            return [parts[2].trimmingCharacters(in: unquote).lowercased()]
        case "in":
            let list = parts[2].trimmingCharacters(in: .whitespaces)
            guard list.hasPrefix("("), list.hasSuffix(")") else { return nil }
            return list.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: unquote).lowercased() }
        default:
            return nil
        }
    }

    private func servicePrincipals(tenantId: String, appIds: [String]?) async -> [ServicePrincipal] {
        var all: [ServicePrincipal] = []
        let resources = state.index.customers[tenantId]?.customer.resourceServicePrincipals ?? WellKnownResource.defaultServicePrincipals
        for r in resources {
            let name = WellKnownResource.match(r).map { "\($0)" } ?? r
            all.append(ServicePrincipal(id: ConsentRecord.resourceServicePrincipalId(customerId: tenantId, resourceAppId: r), appId: r.lowercased(), displayName: name))
        }
        for record in await state.consentRecords(customerId: tenantId) {
            all.append(ServicePrincipal(id: record.servicePrincipalId, appId: record.consent.applicationId.lowercased(), displayName: record.consent.displayName ?? record.consent.applicationId))
        }
        guard let appIds else { return all }
        return all.filter { appIds.contains($0.appId) }
    }

    private func authorized(_ request: Request, _ audience: WellKnownResource, _ body: (String) -> Response) -> Response {
        switch state.verifyBearer(request, audience: audience) {
        case .failure(let failure): return unauthorized(failure)
        case .success(let claims): return body(claims.tid.lowercased())
        }
    }

    private func authorizedAsync(_ request: Request, _ audience: WellKnownResource, _ body: (String) async -> Response) async -> Response {
        switch state.verifyBearer(request, audience: audience) {
        case .failure(let failure): return unauthorized(failure)
        case .success(let claims): return await body(claims.tid.lowercased())
        }
    }

    private func unauthorized(_ failure: BearerFailure) -> Response {
        HTTPResponses.json(GraphErrorBody(error: .init(code: "InvalidAuthenticationToken", message: failure.message)), status: .unauthorized)
    }

    private func domain(of tenantId: String) -> String {
        state.index.customers[tenantId]?.customer.domain ?? state.index.partners[tenantId]?.domain ?? "\(tenantId).onmicrosoft.com"
    }

    private func name(of tenantId: String) -> String {
        state.index.customers[tenantId]?.customer.companyName ?? state.index.partners[tenantId]?.displayName ?? tenantId
    }
}

struct Organization: Encodable {
    struct VerifiedDomain: Encodable { var name: String; var isDefault: Bool; var isInitial: Bool; var type: String; var capabilities: String }
    var id: String
    var displayName: String
    var verifiedDomains: [VerifiedDomain]
}

struct Domain: Encodable { var id: String; var isDefault: Bool; var isInitial: Bool; var isVerified: Bool }

struct ServicePrincipal: Encodable { var id: String; var appId: String; var displayName: String }

struct Subscription: Encodable {
    var id: String
    var subscriptionId: String
    var tenantId: String
    var displayName: String
    var state = "Enabled"
    var authorizationSource = "RoleBased"

    init(subscriptionId: String, tenantId: String) {
        self.id = "/subscriptions/\(subscriptionId)"
        self.subscriptionId = subscriptionId
        self.tenantId = tenantId
        self.displayName = "Azure subscription \(subscriptionId.prefix(8))"
    }
}
