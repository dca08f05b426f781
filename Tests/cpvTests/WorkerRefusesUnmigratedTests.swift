import CPVTestSupport
import Foundation
import Testing

/// `cpv worker` on a database its binary's migrations were never applied to: one line, exit 65,
/// instead of a claim loop failing against missing tables.
@Suite struct WorkerRefusesUnmigratedTests {
    @Test func aWorkerOnAnUnmigratedDatabaseExitsWith65AndSaysToMigrate() async throws {
        try await TestDatabase.withEmptyDatabase { _, url in
            // given / when
            let result = try await CLIProcess.run(["worker"], environment: TestEnvironment.server(database: url))

            // then
            #expect(result.status == 65, "\(result.standardError)")
            #expect(result.standardError.contains("pending migration"))
            #expect(result.standardError.contains("cpv migrate"))
            #expect(!result.standardError.contains("claiming tasks failed"))
        }
    }
}
