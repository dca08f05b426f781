import CPVTestSupport
import ConsentStore
import Testing

@Suite struct DatabaseProbeTests {
    @Test func aReachableDatabasePasses() async throws {
        try await DatabaseProbe.check(try TestDatabase.serverURL(), logger: TestDatabase.logger)
    }

    @Test func aStoppedServerIsReportedAsConnectionRefused() async throws {
        // Port 1 on loopback: nothing listens there and only root could bind it.
        let url = try DatabaseURL(parsing: "postgres://cpv@127.0.0.1:1/cpv")
        await #expect {
            try await DatabaseProbe.check(url, logger: TestDatabase.logger)
        } throws: { error in
            let message = String(describing: error)
            return message.contains("127.0.0.1:1") && message.lowercased().contains("refused")
        }
    }

    @Test func aMissingDatabaseIsNamedByTheServersMessage() async throws {
        let url = try TestDatabase.serverURL().with(database: "cpv_no_such_database")
        await #expect {
            try await DatabaseProbe.check(url, logger: TestDatabase.logger)
        } throws: { error in
            String(describing: error).contains("does not exist")
        }
    }
}
