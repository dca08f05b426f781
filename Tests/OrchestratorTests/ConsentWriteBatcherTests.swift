import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import Testing

/// Group commit of consent writes: concurrent writers share statements, each returns once its own
/// write is in, and a write the database refuses fails alone.
@Suite struct ConsentWriteBatcherTests {
    @Test func concurrentWritersShareStatementsAndEveryWriteLands() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 60)) { h in
            // given 60 customers and one batcher
            let customers = try await h.storeCustomers()
            let batcher = ConsentWriteBatcher(repository: h.consents)

            // when 60 writers each write two steps at once
            try await withThrowingTaskGroup(of: Void.self) { group in
                for customer in customers {
                    group.addTask {
                        try await batcher.apply(
                            customerID: customer.id, change: ConsentStateChange(state: .granting, grantSetVersion: 1),
                            audit: [AuditRecord(actor: "system:test", action: "step.1", customerID: customer.id)], logger: h.logger)
                        try await batcher.apply(
                            customerID: customer.id,
                            change: ConsentStateChange(state: .granted, grantSetVersion: 1, succeeded: true),
                            audit: [AuditRecord(actor: "system:test", action: "step.2", customerID: customer.id)], logger: h.logger)
                    }
                }
                try await group.waitForAll()
            }

            // then every write landed, in each customer's order, in fewer statements than writes
            #expect(try await h.consentStates() == ["granted": 60])
            var order: [Int64: [String]] = [:]
            for try await (customer, action) in try await h.database.query(
                "SELECT customer_id, action FROM audit_events WHERE actor = 'system:test' ORDER BY seq", logger: h.logger
            ).decode((Int64, String).self) { order[customer, default: []].append(action) }
            #expect(order.count == 60)
            #expect(order.values.allSatisfy { $0 == ["step.1", "step.2"] })
            #expect(try await AuditChainVerifier.verify(client: h.database, keys: TestAudit.keys, logger: h.logger).isIntact)
            let statements = await batcher.statements
            #expect(statements < 120, "\(statements) statements for 120 writes")
            print("batcher: 120 writes in \(statements) statements")
        }
    }

    @Test func aWriteTheDatabaseRefusesFailsAloneAndTheOthersLand() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 20)) { h in
            // given 20 writers, one of them with an event PostgreSQL refuses (details not JSON)
            let customers = try await h.storeCustomers()
            let batcher = ConsentWriteBatcher(repository: h.consents)
            let bad = customers[7].id

            // when they write at once
            let failed = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for customer in customers {
                    group.addTask {
                        let details = customer.id == bad ? "not json" : nil
                        do {
                            try await batcher.apply(
                                customerID: customer.id, change: ConsentStateChange(state: .missing, grantSetVersion: 1),
                                audit: [AuditRecord(actor: "system:test", action: "step", customerID: customer.id, details: details)],
                                logger: h.logger)
                            return nil
                        } catch {
                            return customer.id
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
            }

            // then only the bad write failed, and only its customer kept its old state
            #expect(failed == [bad])
            #expect(try await h.consentStates() == ["missing": 19, "unknown": 1])
            #expect(try await AuditChainVerifier.verify(client: h.database, keys: TestAudit.keys, logger: h.logger).isIntact)
        }
    }
}
