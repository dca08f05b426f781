import Foundation
import PartnerCenterSimulator
import Testing

/// Graph's throttling (reference §12.4) and the Graph faults a verify-first client must tell apart
/// from a finding: 429 with Retry-After and 5xx; and the Graph statistics a benchmark reads.
@Suite struct GraphThrottlingTests {
    @Test func sporadicThrottlesAtFractionOneAnswer429EveryTime() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let path = try await h.ourGrantsPath(graph: graph)
            let put = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["throttles": ["graph": ["fraction": 1.0, "retryAfterSeconds": 4]]])
            // when
            var answers: [HTTPResult] = []
            for _ in 0..<3 { answers.append(try await h.get(path, bearer: graph)) }
            // then
            #expect(put.status == 200)
            for r in answers {
                #expect(r.status == 429)
                #expect(r.header("Retry-After") == "4")
                #expect(SimulatorHarness.graphErrorCode(r) == "TooManyRequests")
            }
            #expect(h.state.stats().graphCalls.throttledSporadic == 3)
        }
    }

    @Test func theTenantLimitRefusesTheCallThatExceedsIt() async throws {
        try await SimulatorHarness.run { h in
            // given: 3 Graph reads per 10 s per tenant, at one frozen instant
            let customers = h.partner.customers.prefix(2).map(\.tenantId)
            let (rt, _) = try await h.consented(customers)
            let first = try await h.graphToken(rt, customer: customers[0])
            let second = try await h.graphToken(rt, customer: customers[1])
            let put = try await h.json(.PUT, "/_sim/graph-limits", bearer: nil, body: ["tenantRequestsPerTenSeconds": 3])
            h.state.clock.freeze()
            // when
            var statuses: [Int] = []
            var refused: HTTPResult?
            for _ in 0..<4 {
                let r = try await h.get("/v1.0/organization", bearer: first)
                statuses.append(r.status)
                if r.status == 429 { refused = r }
            }
            let otherTenant = try await h.get("/v1.0/organization", bearer: second)
            h.state.clock.advance(by: 10)
            let later = try await h.get("/v1.0/organization", bearer: first)
            // then
            #expect(put.json["tenantRequestsPerTenSeconds"] as? Int == 3)
            #expect(statuses == [200, 200, 200, 429])
            #expect(refused?.header("Retry-After") == "10")
            #expect(SimulatorHarness.graphErrorCode(try #require(refused)) == "TooManyRequests")
            #expect(otherTenant.status == 200)
            #expect(later.status == 200)
            #expect(h.state.stats().graphCalls.throttledByTenantLimit == 1)
        }
    }

    @Test func theApplicationLimitIsSharedAcrossTenants() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customers = h.partner.customers.prefix(2).map(\.tenantId)
            let (rt, _) = try await h.consented(customers)
            let first = try await h.graphToken(rt, customer: customers[0])
            let second = try await h.graphToken(rt, customer: customers[1])
            h.state.setGraphLimits(GraphLimitOptions(applicationRequestsPerTenSeconds: 2))
            h.state.clock.freeze()
            // when
            let a = try await h.get("/v1.0/organization", bearer: first)
            let b = try await h.get("/v1.0/organization", bearer: first)
            let c = try await h.get("/v1.0/organization", bearer: second)
            // then
            #expect([a.status, b.status, c.status] as [Int] == [200, 200, 429])
            #expect(c.header("Retry-After") == "10")
            #expect(h.state.stats().graphCalls.throttledByApplicationLimit == 1)
        }
    }

    @Test func graphLimitsOffAdmitEverything() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            _ = try await h.json(.PUT, "/_sim/graph-limits", bearer: nil, body: ["tenantRequestsPerTenSeconds": 1, "enabled": false])
            h.state.clock.freeze()
            // when
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await h.get("/v1.0/organization", bearer: graph).status) }
            // then
            #expect(statuses == [200, 200, 200])
        }
    }

    @Test func graphLimitsRefuseANegativeLimitWithAStableCode() async throws {
        try await SimulatorHarness.run { h in
            // when
            let negative = try await h.json(.PUT, "/_sim/graph-limits", bearer: nil, body: ["tenantRequestsPerTenSeconds": -1])
            let badModel = try await h.json(.PUT, "/_sim/graph-limits", bearer: nil, body: ["model": "leaky"])
            let get = try await h.get("/_sim/graph-limits")
            // then
            for r in [negative, badModel] {
                #expect(r.status == 400)
                #expect((r.json["error"] as? [String: Any])?["code"] as? String == "invalid_graph_limits")
            }
            #expect(get.json["applicationRequestsPerTenSeconds"] as? Int == 130_000)
            #expect(get.json["tenantRequestsPerTenSeconds"] as? Int == 3_500)
        }
    }

    @Test func injectedServerErrorsAnswerGraphReadsWith5xx() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customer = h.partner.customers[0].tenantId
            let (rt, _) = try await h.consented([customer])
            let graph = try await h.graphToken(rt, customer: customer)
            let path = try await h.ourGrantsPath(graph: graph)
            _ = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["failures": ["graph": ["fraction": 1.0, "status": 503]]])
            // when
            let r = try await h.get(path, bearer: graph)
            // then
            #expect(r.status == 503)
            #expect(h.state.stats().graphCalls.injectedFailures == 1)
        }
    }

    @Test func statsCountGraphReadsByRouteAndStatus() async throws {
        try await SimulatorHarness.run { h in
            // given
            let customers = h.partner.customers.prefix(2).map(\.tenantId)
            let (rt, _) = try await h.consented(customers)
            _ = try await h.send(.DELETE, "/_sim/stats")
            // when: per tenant, the service principal, its grants, and one unknown id
            for customer in customers {
                let graph = try await h.graphToken(rt, customer: customer)
                let path = try await h.ourGrantsPath(graph: graph)
                _ = try await h.get(path, bearer: graph)
                _ = try await h.get("/v1.0/servicePrincipals/\(UUID().uuidString)/oauth2PermissionGrants", bearer: graph)
            }
            let stats = try await h.get("/_sim/stats")
            // then
            let graph = try #require(stats.json["graphCalls"] as? [String: Any])
            #expect(graph["calls"] as? Int == 6)
            #expect(graph["tenants"] as? Int == 2)
            #expect(graph["answered"] as? [String: Int] == ["200": 4, "404": 2])
            let routes = graph["routes"] as? [String: [String: Int]] ?? [:]
            #expect(routes["GET /v1.0/servicePrincipals"] == ["200": 2])
            #expect(routes["GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants"] == ["200": 2, "404": 2])
        }
    }
}
