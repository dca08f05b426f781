import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

@Suite struct ConsentStateRepositoryTests {
    let logger = TestDatabase.logger

    func customer(_ client: PostgresClient) async throws -> Customer {
        try await StoreFixtures.customer(client)
    }

    func auditCount(_ client: PostgresClient, customerID: Int64) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM audit_events WHERE customer_id = \(customerID)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    @Test func applyWritesTheStateAndItsAuditEvents() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = ConsentStateRepository(client: client, audit: TestAudit.writer)
            let target = try await customer(client)
            let correlation = UUID()

            // when
            try await repository.apply(
                customerID: target.id,
                change: ConsentStateChange(state: .granted, grantSetVersion: 3, startsAttempt: true, succeeded: true, correlationID: correlation),
                audit: [AuditRecord(actor: "system:test", action: "consent.post.succeeded", customerID: target.id)],
                logger: logger)

            // then
            let stored = try await repository.consent(customerID: target.id, logger: logger)
            #expect(stored?.state == .granted)
            #expect(stored?.grantSetVersion == 3)
            #expect(stored?.attempts == 1)
            #expect(stored?.lastSuccessAt != nil)
            #expect(stored?.lastCorrelationID == correlation)
            #expect(try await auditCount(client, customerID: target.id) == 1)
        }
    }

    @Test func failedAuditAppendRollsTheStateChangeBack() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: an audit record PostgreSQL refuses (details that are not JSON)
            let repository = ConsentStateRepository(client: client, audit: TestAudit.writer)
            let target = try await customer(client)
            let broken = AuditRecord(actor: "system:test", action: "consent.post.failed", customerID: target.id, details: "not json")

            // when
            await #expect(throws: (any Error).self) {
                try await repository.apply(
                    customerID: target.id, change: ConsentStateChange(state: .missing, grantSetVersion: 1, errorCode: "500"),
                    audit: [broken], logger: logger)
            }

            // then
            let stored = try await repository.consent(customerID: target.id, logger: logger)
            #expect(stored?.state == .unknown)
            #expect(stored?.lastErrorCode == nil)
        }
    }

    @Test func aBatchWritesEveryCustomersChangeAndItsEventsInOrder() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given three customers, one without a consent row
            let repository = ConsentStateRepository(client: client, audit: TestAudit.writer)
            let targets = [try await customer(client), try await customer(client), try await customer(client)]
            try await client.query("DELETE FROM customer_consents WHERE customer_id = \(targets[2].id)", logger: logger)
            try await repository.apply(
                customerID: targets[0].id,
                change: ConsentStateChange(state: .granted, grantSetVersion: 1, startsAttempt: true, succeeded: true, correlationID: UUID()),
                audit: [], logger: logger)
            let before = try await repository.consent(customerID: targets[0].id, logger: logger)

            // when one statement writes a failure, a success, an events-only write and a new row
            let correlation = UUID()
            func record(_ action: String, _ customer: Customer) -> AuditRecord {
                AuditRecord(actor: "system:test", action: action, customerID: customer.id)
            }
            try await repository.apply(
                [
                    ConsentWrite(
                        customerID: targets[0].id,
                        change: ConsentStateChange(state: .failed, grantSetVersion: 1, errorCode: "403", error: "forbidden", startsAttempt: true),
                        audit: [record("a.1", targets[0]), record("a.2", targets[0])]),
                    ConsentWrite(
                        customerID: targets[1].id,
                        change: ConsentStateChange(state: .granted, grantSetVersion: 2, succeeded: true, correlationID: correlation),
                        audit: [record("b.1", targets[1])]),
                    ConsentWrite(customerID: targets[1].id + 1_000_000, change: nil, audit: [record("c.1", targets[1])]),
                    ConsentWrite(customerID: targets[2].id, change: ConsentStateChange(state: .granting, grantSetVersion: 2), audit: []),
                ], logger: logger)

            // then each row holds its own change, kept fields kept
            let a = try await repository.consent(customerID: targets[0].id, logger: logger)
            #expect(a?.state == .failed)
            #expect(a?.lastErrorCode == "403")
            #expect(a?.attempts == (before?.attempts ?? 0) + 1)
            #expect(a?.lastSuccessAt == before?.lastSuccessAt)
            #expect(a?.lastCorrelationID == before?.lastCorrelationID)
            let b = try await repository.consent(customerID: targets[1].id, logger: logger)
            #expect(b?.state == .granted)
            #expect(b?.grantSetVersion == 2)
            #expect(b?.attempts == 0)
            #expect(b?.lastSuccessAt != nil)
            #expect(b?.lastCorrelationID == correlation)
            #expect(try await repository.consent(customerID: targets[2].id, logger: logger)?.state == .granting)
            // and the events follow the writes' order in the chain, which stays intact
            var actions: [String] = []
            for try await action in try await client.query(
                "SELECT action FROM audit_events WHERE actor = 'system:test' ORDER BY seq", logger: logger
            ).decode(String.self) { actions.append(action) }
            #expect(actions == ["a.1", "a.2", "b.1", "c.1"])
            #expect(try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger).isIntact)
            let drift = try await ReportCountersTests.coverageDrift(client)
            #expect(drift.kept == drift.counted)
        }
    }

    @Test func aBatchNamingACustomerTwiceIsRefusedAndAFailingBatchWritesNothing() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = ConsentStateRepository(client: client, audit: TestAudit.writer)
            let a = try await customer(client)
            let b = try await customer(client)
            let change = ConsentStateChange(state: .missing, grantSetVersion: 1)

            // when / then: the same customer twice
            await #expect(throws: ConsentStoreError.duplicateCustomer) {
                try await repository.apply(
                    [ConsentWrite(customerID: a.id, change: change, audit: []), ConsentWrite(customerID: a.id, change: change, audit: [])],
                    logger: logger)
            }
            // and one bad event fails the whole statement: b's good change is not written either
            let broken = AuditRecord(actor: "system:test", action: "consent.post.failed", customerID: a.id, details: "not json")
            await #expect(throws: (any Error).self) {
                try await repository.apply(
                    [ConsentWrite(customerID: b.id, change: change, audit: []), ConsentWrite(customerID: a.id, change: change, audit: [broken])],
                    logger: logger)
            }
            #expect(try await repository.consent(customerID: b.id, logger: logger)?.state == .unknown)
        }
    }
}
