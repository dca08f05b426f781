import CPVTestSupport
import ConsentStore
import Foundation
import PostgresNIO
import Testing

/// `cpv db roles` on a fresh database, then `cpv migrate` as the owner it created.
@Suite struct DatabaseRolesCommandTests {
    @Test func theCommandCreatesRolesThatSeparateTheAuditTrail() async throws {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let (owner, app) = ("cpv_cli_\(suffix)_owner", "cpv_cli_\(suffix)_app")
        let server = try TestDatabase.serverURL()
        do {
            try await TestDatabase.withEmptyDatabase { _, url in
                // when
                let roles = try await CLIProcess.run(
                    ["db", "roles", "--owner", owner, "--app", app], environment: ["CPV_DATABASE_URL": url.description])
                var ownerURL = url
                ownerURL.username = owner
                let migrated = try await CLIProcess.run(
                    ["migrate"], environment: ["CPV_DATABASE_URL": ownerURL.description, "CPV_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path])
                // then
                #expect(roles.status == 0, "\(roles.standardError)")
                #expect(roles.standardOutput.contains("application role \(app)"))
                #expect(migrated.status == 0, "\(migrated.standardError)")
                var appURL = url
                appURL.username = app
                let problems = try await withPostgresClient(appURL.clientConfiguration(), logger: TestDatabase.logger) { client in
                    try await DatabaseRoles.auditSeparationProblems(client: client, logger: TestDatabase.logger)
                }
                #expect(problems.isEmpty)
            }
        } catch {
            try? await Self.drop([app, owner], server: server)
            throw error
        }
        try await Self.drop([app, owner], server: server)
    }

    @Test func aNameThatIsNotARoleNameIsAUsageError() async throws {
        let result = try await CLIProcess.run(
            ["db", "roles", "--owner", "Robert'); DROP TABLE students;--", "--app", "cpv_app"],
            environment: ["CPV_DATABASE_URL": "postgres://cpv@127.0.0.1:9/cpv"])
        #expect(result.status == 64)
    }

    static func drop(_ roles: [String], server: DatabaseURL) async throws {
        try await withPostgresClient(server.clientConfiguration(), logger: TestDatabase.logger) { admin in
            for role in roles { try await admin.query("DROP ROLE IF EXISTS \(unescaped: "\"\(role)\"")", logger: TestDatabase.logger) }
        }
    }
}
