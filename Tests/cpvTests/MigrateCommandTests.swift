import CPVTestSupport
import ConsentStore
import Foundation
import Testing

@Suite struct MigrateCommandTests {
    func environment(_ url: DatabaseURL) -> [String: String] {
        ["CPV_DATABASE_URL": url.description, "CPV_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path]
    }

    @Test func migrateAppliesThenStatusListsEverythingApplied() async throws {
        try await TestDatabase.withEmptyDatabase { _, url in
            // given
            let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
            let before = try await CLIProcess.run(["migrate", "--status"], environment: environment(url))
            #expect(before.status == 0)
            #expect(before.standardOutput.contains("0 applied, \(files.count) pending"))
            // when
            let migrate = try await CLIProcess.run(["migrate"], environment: environment(url))
            // then
            #expect(migrate.status == 0, "\(migrate.standardError)")
            #expect(migrate.standardOutput.contains("applied \(files.count) migration(s)"))
            let after = try await CLIProcess.run(["migrate", "--status"], environment: environment(url))
            #expect(after.standardOutput.contains("\(files.count) applied, 0 pending, 0 problem(s)"))
            let again = try await CLIProcess.run(["migrate"], environment: environment(url))
            #expect(again.standardOutput.contains("database is up to date"))
        }
    }

    @Test func anEditedMigrationStopsMigrateWithExit65() async throws {
        try await TestDatabase.withEmptyDatabase { client, url in
            // given: the ledger says 0001 was applied with another checksum
            let migrate = try await CLIProcess.run(["migrate"], environment: environment(url))
            #expect(migrate.status == 0)
            try await client.query("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1", logger: TestDatabase.logger)
            // when
            let result = try await CLIProcess.run(["migrate"], environment: environment(url))
            // then
            #expect(result.status == 65)
            #expect(result.standardError.contains("was edited after it was applied"))
            let status = try await CLIProcess.run(["migrate", "--status"], environment: environment(url))
            #expect(status.status == 65)
            #expect(status.standardOutput.contains("CHANGED"))
        }
    }
}
