import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every `/api/v1` route × every kind of caller: no token and a revoked token are 401, a role
/// below the route's is 403, the route's role and above are neither.
@Suite(.serialized) struct RouteRoleTests {
    /// Revoked-token misses count towards the per-address limit (10 per minute), so each harness
    /// (a fresh server) takes at most this many routes.
    static let routesPerServer = 8

    static let chunks: [[RouteEntry]] = stride(from: 0, to: RouteEntry.api.count, by: routesPerServer).map {
        Array(RouteEntry.api[$0..<min($0 + routesPerServer, RouteEntry.api.count)])
    }

    @Test(arguments: chunks.indices)
    func everyRouteChecksTokenAndRole(chunk: Int) async throws {
        try await IdentityHarness.run { h in
            // given
            let repository = StaffTokenRepository(client: h.database)
            var tokens: [StaffRole: String] = [:]
            for role in [StaffRole.viewer, .operator, .admin] {
                tokens[role] = try await repository.create(name: "role-\(role.rawValue)", role: role, createdBy: "test", logger: h.logger).1.revealed
            }
            let (revokedSummary, revokedToken) = try await repository.create(name: "revoked", role: .admin, createdBy: "test", logger: h.logger)
            _ = try await repository.revoke(id: revokedSummary.id, actor: "test", logger: h.logger)

            for route in Self.chunks[chunk] {
                guard let required = route.role else { continue }
                // when / then
                let missing = try await status(h, route, token: nil)
                #expect(missing == .unauthorized, "\(route.testDescription) without a token")
                let revoked = try await status(h, route, token: revokedToken.revealed)
                #expect(revoked == .unauthorized, "\(route.testDescription) with a revoked token")
                for role in [StaffRole.viewer, .operator, .admin] {
                    let answer = try await status(h, route, token: tokens[role])
                    if role.allows(required) {
                        #expect(answer != .unauthorized && answer != .forbidden, "\(route.testDescription) as \(role.rawValue): \(answer)")
                    } else {
                        #expect(answer == .forbidden, "\(route.testDescription) as \(role.rawValue)")
                    }
                }
            }
        }
    }

    func status(_ h: IdentityHarness, _ route: RouteEntry, token: String?) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await h.client.execute(uri: route.concrete, method: route.method, headers: headers) { $0.status }
    }
}
