import CPVTestSupport
import ConsentStore
import Foundation
import Testing

/// `cpv serve` stops with exit 65 when an applied migration no longer matches its file.
@Suite struct ServeRefusesDriftTests {
    @Test func serveStopsWhenAnAppliedMigrationWasEdited() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            // given: the ledger remembers migration 1 with another checksum
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1", logger: TestDatabase.logger)
            }
            // when
            let result = try await CLIProcess.run(["serve"], environment: TestEnvironment.server(database: url))
            // then
            #expect(result.status == 65, "\(result.standardError)")
            #expect(result.standardError.contains("was edited after it was applied"))
        }
    }
}
