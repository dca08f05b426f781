import Foundation
import Hummingbird

/// The Graph reads that show whether a consent is really there in a customer tenant (reference §7,
/// §12.4): the CPV app's service principal, its delegated grants and its app-role assignments, all
/// served from the consent records (a POSTed consent creates them, a DELETE removes them, drift edits
/// them).
///
/// `applicationconsents` grants delegated scopes only, so the app-role assignments of our service
/// principal are always an empty list.
struct GraphConsentRoutes: Sendable {
    let state: SimulatorState
    private var access: GraphAccess { GraphAccess(state: state) }

    private struct Collection<T: Encodable>: Encodable {
        var value: [T]
    }

    private struct AppRoleAssignment: Encodable {}

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1.0/servicePrincipals") { request, _ in
            await self.access.tenant(request) { tenantId in
                let all = await self.servicePrincipals(tenantId: tenantId)
                guard let raw = request.query("$filter") else { return HTTPResponses.json(Collection(value: all)) }
                guard let filter = GraphEqualityFilter.parse(raw) else { return GraphResponses.invalidFilter() }
                switch filter.property {
                case "appid": return HTTPResponses.json(Collection(value: all.filter { filter.matches($0.appId) }))
                case "id": return HTTPResponses.json(Collection(value: all.filter { filter.matches($0.id) }))
                default: return GraphResponses.invalidFilter()
                }
            }
        }
        router.get("/v1.0/servicePrincipals/{id}") { request, context in
            await self.access.tenant(request) { tenantId in
                let id = (context.parameters.get("id") ?? "").lowercased()
                guard let sp = await self.servicePrincipals(tenantId: tenantId).first(where: { $0.id == id }) else { return GraphResponses.notFound(id) }
                return HTTPResponses.json(sp)
            }
        }
        router.get("/v1.0/servicePrincipals/{id}/oauth2PermissionGrants") { request, context in
            await self.access.tenant(request) { tenantId in
                let id = (context.parameters.get("id") ?? "").lowercased()
                guard await self.exists(servicePrincipal: id, tenantId: tenantId) else { return GraphResponses.notFound(id) }
                return HTTPResponses.json(Collection(value: await self.grants(tenantId: tenantId).filter { $0.clientId == id }))
            }
        }
        router.get("/v1.0/servicePrincipals/{id}/appRoleAssignments") { request, context in
            await self.access.tenant(request) { tenantId in
                let id = (context.parameters.get("id") ?? "").lowercased()
                guard await self.exists(servicePrincipal: id, tenantId: tenantId) else { return GraphResponses.notFound(id) }
                return HTTPResponses.json(Collection<AppRoleAssignment>(value: []))
            }
        }
        router.get("/v1.0/oauth2PermissionGrants") { request, _ in
            await self.access.tenant(request) { tenantId in
                let all = await self.grants(tenantId: tenantId)
                guard let raw = request.query("$filter") else { return HTTPResponses.json(Collection(value: all)) }
                guard let filter = GraphEqualityFilter.parse(raw) else { return GraphResponses.invalidFilter() }
                switch filter.property {
                case "clientid": return HTTPResponses.json(Collection(value: all.filter { filter.matches($0.clientId) }))
                case "resourceid": return HTTPResponses.json(Collection(value: all.filter { filter.matches($0.resourceId) }))
                default: return GraphResponses.invalidFilter()
                }
            }
        }
    }

    /// The resource service principals every tenant has (Graph, ARM, …), then one per consented application.
    private func servicePrincipals(tenantId: String) async -> [ServicePrincipal] {
        var all: [ServicePrincipal] = []
        let resources = state.index.customers[tenantId]?.customer.resourceServicePrincipals ?? WellKnownResource.defaultServicePrincipals
        for r in resources {
            let name = WellKnownResource.match(r).map { "\($0)" } ?? r
            all.append(ServicePrincipal(id: ConsentRecord.resourceServicePrincipalId(customerId: tenantId, resourceAppId: r), appId: r.lowercased(), displayName: name))
        }
        for record in await state.consentRecords(customerId: tenantId) {
            all.append(ServicePrincipal(id: record.servicePrincipalId, appId: record.consent.applicationId.lowercased(), displayName: record.consent.displayName ?? record.consent.applicationId))
        }
        return all
    }

    private func exists(servicePrincipal id: String, tenantId: String) async -> Bool {
        await servicePrincipals(tenantId: tenantId).contains { $0.id == id }
    }

    private func grants(tenantId: String) async -> [PermissionGrantRecord] {
        await state.consentRecords(customerId: tenantId).flatMap(\.grants)
    }
}

struct ServicePrincipal: Encodable { var id: String; var appId: String; var displayName: String }
