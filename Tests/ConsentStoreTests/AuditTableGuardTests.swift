import CPVTestSupport
import ConsentStore
import PostgresNIO
import Testing

/// The audit table refuses every change but INSERT, even to its owner and a superuser.
@Suite struct AuditTableGuardTests {
    let logger = TestDatabase.logger

    func insertOne(_ client: PostgresClient) async throws {
        try await client.query(
            "INSERT INTO audit_events (seq, actor, action, prev_hash, hash) VALUES (1, 'test', 'test.event', '\\x00', '\\x01')",
            logger: logger)
    }

    @Test(arguments: [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ])
    func changesOtherThanInsertAreRejected(_ statement: String) async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            try await TestDatabase.asSuperuser(url) { client in
                try await insertOne(client)
                await #expect(throws: PSQLError.self) {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let count = try await client.query("SELECT count(*) FROM audit_events", logger: logger).collect().first?.decode(Int.self)
                #expect(count == 1)
            }
        }
    }
}
