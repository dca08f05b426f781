import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every `/api/` route of the live router × every kind of caller: no token, a malformed token and
/// a revoked token are 401, a role below the route's is 403, the route's role and above are neither.
@Suite(.serialized) struct RouteRoleTests {
    /// Revoked and malformed-token misses count towards the per-address limit (10 per minute), so
    /// each harness (a fresh server) takes at most this many routes.
    static let routesPerServer = 4

    @Test func theRoleTableNamesExactlyTheLiveAPIRoutes() async throws {
        try await IdentityHarness.run { h in
            // given
            let live = Set(h.routes.map(\.description))
            let liveAPI = live.filter { $0.contains(" /api/") }
            let table = Set(RouteTable.roles.keys)
            // then
            #expect(liveAPI.count >= 24, "the router lists its routes")
            #expect(liveAPI.subtracting(table).isEmpty, "routed without a role in RouteTable")
            #expect(table.subtracting(live).isEmpty, "in RouteTable but not routed")
            for route in liveAPI.sorted() {
                #expect(RouteTable.roles[route] != nil && RouteTable.roles[route]! != nil, "\(route) needs a staff role")
                #expect(RouteTable.concrete(String(route.drop { $0 != " " }.dropFirst())) != nil, "\(route) has no placeholder id")
            }
        }
    }

    @Test func everyLiveAPIRouteChecksTokenAndRole() async throws {
        let captured = RouteCapture()
        try await IdentityHarness.run { h in captured.set(h.routes.filter { $0.path.hasPrefix("/api/") }) }
        let routes = captured.get()
        #expect(routes.count >= 24)
        for start in stride(from: 0, to: routes.count, by: Self.routesPerServer) {
            try await check(Array(routes[start..<min(start + Self.routesPerServer, routes.count)]))
        }
    }

    func check(_ chunk: [RoutedOperation]) async throws {
        try await IdentityHarness.run { h in
            // given
            let repository = StaffTokenRepository(client: h.database, audit: TestAudit.writer)
            var tokens: [StaffRole: String] = [:]
            for role in [StaffRole.viewer, .operator, .admin] {
                tokens[role] = try await repository.create(name: "role-\(role.rawValue)", role: role, createdBy: "test", logger: h.logger).1.revealed
            }
            let (revokedSummary, revokedToken) = try await repository.create(name: "revoked", role: .admin, createdBy: "test", logger: h.logger)
            _ = try await repository.revoke(id: revokedSummary.id, actor: "test", logger: h.logger)

            for route in chunk {
                let required = try #require(RouteTable.roles[route.description] ?? nil, "\(route) has no role")
                let path = try #require(RouteTable.concrete(route.path))
                // when / then
                #expect(try await status(h, route.method, path, token: nil) == .unauthorized, "\(route) without a token")
                #expect(try await status(h, route.method, path, token: "not-a-cpv-token") == .unauthorized, "\(route) malformed token")
                #expect(try await status(h, route.method, path, token: revokedToken.revealed) == .unauthorized, "\(route) revoked token")
                for role in [StaffRole.viewer, .operator, .admin] {
                    let answer = try await status(h, route.method, path, token: tokens[role])
                    if role.allows(required) {
                        #expect(answer != .unauthorized && answer != .forbidden, "\(route) as \(role.rawValue): \(answer)")
                    } else {
                        #expect(answer == .forbidden, "\(route) as \(role.rawValue): \(answer)")
                    }
                }
            }
        }
    }

    func status(_ h: IdentityHarness, _ method: HTTPRequest.Method, _ path: String, token: String?) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await h.client.execute(uri: path, method: method, headers: headers) { $0.status }
    }
}
