import AdminServer
import Composition
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// The real application (`buildApplication`) listening on a loopback port over a fresh database,
/// with a token per role and a revoked one, for running the `cpv` binary against it.
struct LiveServer: Sendable {
    let url: String
    let database: PostgresClient
    let tokens: [StaffRole: String]
    /// A second admin, to approve what the first proposes.
    let secondAdminToken: String
    let revokedToken: String

    static func run(_ body: @Sendable (LiveServer) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase { database, url in
            let logger = TestDatabase.logger
            // Microsoft's endpoints on a closed loopback port: these tests never reach them.
            let closed = "http://127.0.0.1:9"
            let environment = TestEnvironment.server(
                database: url,
                overrides: [
                    "CPV_PUBLIC_URL": "http://cpv.test", "CPV_LOGIN_URL": closed, "CPV_PARTNER_CENTER_URL": closed,
                    "CPV_GRAPH_URL": closed, "CPV_ARM_URL": closed,
                ])
            let configuration = try AppConfiguration(environment: environment, purpose: .server)
            let services = try AppServices(configuration: configuration, logger: logger)
            let repository = StaffTokenRepository(client: database, audit: TestAudit.writer)
            var tokens: [StaffRole: String] = [:]
            for role in [StaffRole.viewer, .operator, .admin] {
                tokens[role] = try await repository.create(name: "cli-\(role.rawValue)", role: role, createdBy: "test", logger: logger).1.revealed
            }
            let secondAdmin = try await repository.create(name: "cli-admin-2", role: .admin, createdBy: "test", logger: logger).1.revealed
            let (revoked, revokedToken) = try await repository.create(name: "cli-revoked", role: .admin, createdBy: "test", logger: logger)
            _ = try await repository.revoke(id: revoked.id, actor: "test", logger: logger)

            let (ports, bound) = AsyncStream<Int>.makeStream()
            let app = try await buildApplication(
                services: services, logger: logger,
                options: BuildOptions(backgroundServices: false, onServerRunning: { bound.yield($0) }))
            let server = LiveServer(
                url: "", database: database, tokens: tokens, secondAdminToken: secondAdmin, revokedToken: revokedToken.revealed)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService(gracefulShutdownSignals: []) }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw TestDatabaseError("the server did not start") }
                try await body(
                    LiveServer(
                        url: "http://127.0.0.1:\(port)", database: server.database, tokens: server.tokens,
                        secondAdminToken: server.secondAdminToken, revokedToken: server.revokedToken))
                group.cancelAll()
            }
        }
    }

    /// Runs `cpv ARGUMENTS` with `CPV_URL` set to this server and `CPV_TOKEN` to `token` (none when nil).
    func cpv(_ arguments: [String], token: String?) async throws -> CLIProcess.Result {
        var environment = ["CPV_URL": url]
        if let token { environment["CPV_TOKEN"] = token }
        return try await CLIProcess.run(arguments, environment: environment)
    }

    func cpv(_ arguments: String..., as role: StaffRole) async throws -> CLIProcess.Result {
        try await cpv(arguments, token: tokens[role])
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }
}
