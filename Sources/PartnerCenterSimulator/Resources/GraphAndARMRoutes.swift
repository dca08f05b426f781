import Foundation
import Hummingbird

/// Microsoft Graph's tenant reads (`/v1.0/organization`, `/v1.0/domains`) and ARM (`/subscriptions`)
/// as seen from one tenant; the consent reads are in `GraphConsentRoutes` (reference §7).
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

    private func authorized(_ request: Request, _ audience: WellKnownResource, _ body: (String) -> Response) -> Response {
        switch state.verifyBearer(request, audience: audience) {
        case .failure(let failure): return unauthorized(failure)
        case .success(let claims):
            let tenantId = claims.tid.lowercased()
            if audience == .graph, state.faults.graphForbiddenTenants.contains(tenantId) { return GraphResponses.forbidden() }
            return body(tenantId)
        }
    }

    private func unauthorized(_ failure: BearerFailure) -> Response {
        GraphResponses.unauthorized(failure)
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
