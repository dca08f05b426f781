import Foundation
import PartnerCenterSimulator
import Testing

/// The Graph reads of a verify-first reconcile (reference §12.4), served from the consents POSTed
/// and DELETEd through Partner Center.
@Suite struct GraphConsentReadTests {
    @Test func grantsFilteredByClientIdAreTheServicePrincipalsGrants() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let spId = try #require(try await h.ourServicePrincipalId(graph: graph))
            // when
            let filtered = try await h.get("/v1.0/oauth2PermissionGrants?$filter=clientId%20eq%20'\(spId)'", bearer: graph)
            let nested = try await h.get("/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants", bearer: graph)
            // then
            #expect(filtered.status == 200)
            let scopes = try await h.scopesByResource(filtered, graph: graph)
            #expect(scopes == [
                SimulatorHarness.graphAppId: "Directory.Read.All User.Read.All", SimulatorHarness.armAppId: "user_impersonation",
            ])
            let ids = { (r: HTTPResult) in (r.json["value"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.sorted() }
            #expect(ids(filtered) == ids(nested))
            #expect((filtered.json["value"] as? [[String: Any]] ?? []).allSatisfy { $0["clientId"] as? String == spId })
        }
    }

    @Test func grantsOfAnotherClientAreNotListed() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            // when
            let r = try await h.get("/v1.0/oauth2PermissionGrants?$filter=clientId%20eq%20'\(UUID().uuidString.lowercased())'", bearer: graph)
            // then
            #expect(r.status == 200)
            #expect((r.json["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func ourServicePrincipalHasNoAppRoleAssignments() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let spId = try #require(try await h.ourServicePrincipalId(graph: graph))
            // when
            let r = try await h.get("/v1.0/servicePrincipals/\(spId)/appRoleAssignments", bearer: graph)
            // then
            #expect(r.status == 200)
            #expect((r.json["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anUnknownServicePrincipalIdIsGraphsNotFound() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let unknown = UUID().uuidString.lowercased()
            // when
            let grants = try await h.get("/v1.0/servicePrincipals/\(unknown)/oauth2PermissionGrants", bearer: graph)
            let roles = try await h.get("/v1.0/servicePrincipals/\(unknown)/appRoleAssignments", bearer: graph)
            // then
            for r in [grants, roles] {
                #expect(r.status == 404)
                #expect(SimulatorHarness.graphErrorCode(r) == "Request_ResourceNotFound")
                #expect((r.json["error"] as? [String: Any])?["message"] as? String
                    == "Resource '\(unknown)' does not exist or one of its queried reference-property objects are not present.")
            }
        }
    }

    @Test func aMalformedFilterIsABadRequest() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            // when
            let grants = try await h.get("/v1.0/oauth2PermissionGrants?$filter=clientId%20equals", bearer: graph)
            let sps = try await h.get("/v1.0/servicePrincipals?$filter=appId%20eq%20'unterminated", bearer: graph)
            // then
            for r in [grants, sps] {
                #expect(r.status == 400)
                #expect(SimulatorHarness.graphErrorCode(r) == "BadRequest")
                #expect((r.json["error"] as? [String: Any])?["message"] as? String == "Invalid filter clause")
            }
        }
    }

    @Test func deleteRemovesTheServicePrincipalAndItsGrants() async throws {
        try await SimulatorHarness.run { h in
            // given: a Graph token minted while the consent existed stays valid after the DELETE
            let customer = h.partner.customers[0].tenantId
            let (rt, pc) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let spId = try #require(try await h.ourServicePrincipalId(graph: graph))
            // when
            let deleted = try await h.deleteConsent(customer: customer, token: pc)
            let filtered = try await h.get("/v1.0/oauth2PermissionGrants?$filter=clientId%20eq%20'\(spId)'", bearer: graph)
            let nested = try await h.get("/v1.0/servicePrincipals/\(spId)/oauth2PermissionGrants", bearer: graph)
            let roles = try await h.get("/v1.0/servicePrincipals/\(spId)/appRoleAssignments", bearer: graph)
            // then
            let after = try await h.ourServicePrincipalId(graph: graph)
            #expect(deleted.status == 204)
            #expect(after == nil)
            #expect((filtered.json["value"] as? [Any])?.isEmpty == true)
            #expect(nested.status == 404)
            #expect(roles.status == 404)
        }
    }

    @Test func aServicePrincipalIsReadableById() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let spId = try #require(try await h.ourServicePrincipalId(graph: graph))
            // when
            let found = try await h.get("/v1.0/servicePrincipals/\(spId)", bearer: graph)
            let missing = try await h.get("/v1.0/servicePrincipals/\(UUID().uuidString.lowercased())", bearer: graph)
            // then
            #expect(found.json["appId"] as? String == h.app.appId.lowercased())
            #expect(missing.status == 404)
        }
    }

    @Test func aForbiddenTenantAnswers403WhileOthersRead() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customers = h.partner.customers.prefix(2).map(\.tenantId)
            let (rt, _) = try await h.consented(customers)
            let forbidden = try await h.graphToken(rt, customer: customers[0])
            let allowed = try await h.graphToken(rt, customer: customers[1])
            let path = try await h.ourGrantsPath(graph: forbidden)
            _ = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["graphForbiddenTenants": [customers[0].uppercased()]])
            // when
            let grants = try await h.get(path, bearer: forbidden)
            let sps = try await h.get("/v1.0/servicePrincipals", bearer: forbidden)
            let other = try await h.get("/v1.0/servicePrincipals", bearer: allowed)
            // then
            for r in [grants, sps] {
                #expect(r.status == 403)
                #expect(SimulatorHarness.graphErrorCode(r) == "Authorization_RequestDenied")
            }
            #expect(other.status == 200)
        }
    }
}
