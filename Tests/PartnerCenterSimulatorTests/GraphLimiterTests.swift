import Foundation
@testable import PartnerCenterSimulator
import Testing

/// The Graph limiter's two budgets as pure bookkeeping fed explicit instants, and the route
/// templates Graph calls are counted under.
@Suite struct GraphLimiterTests {
    @Test func aCallIsAdmittedOnlyWhenBothBudgetsHaveRoom() {
        // given
        let limiter = GraphLimiter(settings: GraphLimitOptions(applicationRequestsPerTenSeconds: 3, tenantRequestsPerTenSeconds: 2, countRejected: false))
        // when
        let decisions = [
            limiter.admit(application: "app", tenant: "a", at: 100),
            limiter.admit(application: "app", tenant: "a", at: 100),
            limiter.admit(application: "app", tenant: "a", at: 100),
            limiter.admit(application: "app", tenant: "b", at: 100),
            limiter.admit(application: "app", tenant: "b", at: 100),
        ]
        // then: a's third is the tenant's refusal; b's first fits; b's second meets the full global budget
        #expect(decisions == [
            .admitted, .admitted, .refused(retryAfterSeconds: 10, scope: .tenant), .admitted, .refused(retryAfterSeconds: 10, scope: .application),
        ])
    }

    @Test func refusedCallsChargeNeitherBudgetUnlessTheyCount() {
        // given: tenant a refuses its third call; with refused calls not counted, the global budget keeps room
        let limiter = GraphLimiter(settings: GraphLimitOptions(applicationRequestsPerTenSeconds: 3, tenantRequestsPerTenSeconds: 2, countRejected: false))
        for _ in 0..<3 { _ = limiter.admit(application: "app", tenant: "a", at: 100) }
        // when
        let other = limiter.admit(application: "app", tenant: "b", at: 100)
        // then
        #expect(other == .admitted)
    }

    @Test func refusedCallsThatCountFillTheGlobalBudget() {
        // given: the same calls, refused ones counted
        let limiter = GraphLimiter(settings: GraphLimitOptions(applicationRequestsPerTenSeconds: 3, tenantRequestsPerTenSeconds: 2, countRejected: true))
        for _ in 0..<3 { _ = limiter.admit(application: "app", tenant: "a", at: 100) }
        // when
        let other = limiter.admit(application: "app", tenant: "b", at: 100)
        // then
        #expect(other == .refused(retryAfterSeconds: 10, scope: .application))
    }

    @Test func theWindowEmptiesAfterTenSeconds() {
        // given
        let limiter = GraphLimiter(settings: GraphLimitOptions(tenantRequestsPerTenSeconds: 1))
        _ = limiter.admit(application: "app", tenant: "a", at: 100)
        // when
        let early = limiter.admit(application: "app", tenant: "a", at: 104)
        let late = limiter.admit(application: "app", tenant: "a", at: 114.5)
        // then: the refusal at 104 counted too, so room returns ten seconds after it, not after the first call
        #expect(early == .refused(retryAfterSeconds: 10, scope: .tenant))
        #expect(late == .admitted)
    }

    @Test func routeTemplatesHideIdsAndUnknownPaths() {
        let id = UUID().uuidString
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/servicePrincipals/\(id)/oauth2PermissionGrants")
            == "GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants")
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/servicePrincipals") == "GET /v1.0/servicePrincipals")
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/oauth2PermissionGrants") == "GET /v1.0/oauth2PermissionGrants")
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/me/memberOf/microsoft.graph.directoryRole")
            == "GET /v1.0/me/memberOf/microsoft.graph.directoryRole")
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/users/\(id)") == "GET /v1.0/other")
        #expect(GraphRouteTemplate.of(method: "GET", path: "/v1.0/servicePrincipals/\(id)/owners") == "GET /v1.0/other")
    }
}
