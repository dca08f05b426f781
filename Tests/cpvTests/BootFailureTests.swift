import CPVTestSupport
import ConsentStore
import Foundation
import Testing

/// The failures an operator can fix end as one clear line and a documented exit code.
@Suite struct BootFailureTests {
    func environment(_ overrides: [String: String] = [:], removing: [String] = []) throws -> [String: String] {
        var environment = TestEnvironment.server(database: try TestDatabase.serverURL())
        environment.merge(overrides) { _, new in new }
        for key in removing { environment[key] = nil }
        return environment
    }

    func expectOneLine(_ result: CLIProcess.Result, status: Int32, containing fragments: [String]) {
        #expect(result.status == status)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.standardError)")
        for fragment in fragments {
            #expect(result.standardError.contains(fragment), "missing \(fragment) in: \(result.standardError)")
        }
    }

    @Test func aMalformedDatabaseURLNamesTheKeyAndExits78() async throws {
        let result = try await CLIProcess.run(["serve"], environment: try environment(["CPV_DATABASE_URL": "postgres://nobody"]))
        expectOneLine(result, status: 78, containing: ["cpv: configuration error: CPV_DATABASE_URL"])
    }

    @Test func aMissingSecretNamesTheKeyAndExits78() async throws {
        let result = try await CLIProcess.run(["serve"], environment: try environment(removing: ["CPV_SEALING_KEYS"]))
        expectOneLine(result, status: 78, containing: ["CPV_SEALING_KEYS: required"])
    }

    @Test func anUnreachableDatabaseIsOneLineAndExits69() async throws {
        let result = try await CLIProcess.run(
            ["serve"], environment: try environment(["CPV_DATABASE_URL": "postgres://cpv:pw-not-shown@127.0.0.1:1/cpv"]))
        expectOneLine(result, status: 69, containing: ["cannot reach the database at postgres://cpv@127.0.0.1:1/cpv", "refused"])
        #expect(!result.standardError.contains("pw-not-shown"))
    }

    @Test func migrateAgainstAnUnreachableDatabaseExits69() async throws {
        let result = try await CLIProcess.run(
            ["migrate"], environment: ["CPV_DATABASE_URL": "postgres://cpv@127.0.0.1:1/cpv"])
        expectOneLine(result, status: 69, containing: ["cannot reach the database"])
    }

    /// One-shot database commands (`cpv tokens`, `cpv keys rotate`, ...) probe the database first
    /// instead of letting the pool retry for a minute and end with "circuit breaker tripped".
    @Test func aOneShotCommandAgainstAnUnreachableDatabaseExits69() async throws {
        let result = try await CLIProcess.run(
            ["tokens", "list"], environment: try environment(["CPV_DATABASE_URL": "postgres://cpv@127.0.0.1:1/cpv"]))
        expectOneLine(result, status: 69, containing: ["cannot reach the database"])
    }

    /// The pool is running before the command's first query: no PostgresNIO warning about a lease
    /// before `run()` on a command's standard error.
    @Test func aOneShotCommandPrintsOnlyItsOwnOutput() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            let env = try environment(["CPV_DATABASE_URL": url.description])
            let created = try await CLIProcess.run(["tokens", "create", "--name", "ci", "--role", "viewer", "--json"], environment: env)
            #expect(created.status == 0, "\(created.standardError)")
            #expect(created.standardError.isEmpty, "\(created.standardError)")
            let listed = try await CLIProcess.run(["tokens", "list"], environment: env)
            #expect(listed.status == 0)
            #expect(listed.standardOutput.contains("ci"))
            #expect(listed.standardError.isEmpty, "\(listed.standardError)")
        }
    }
}
