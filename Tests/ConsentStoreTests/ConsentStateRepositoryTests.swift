import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

@Suite struct ConsentStateRepositoryTests {
    let logger = TestDatabase.logger

    func customer(_ client: PostgresClient) async throws -> Customer {
        let registration = try PartnerRegistration(tenantId: UUID().uuidString, displayName: "Partner", cloud: "global").validated()
        let partner = try await PartnerRepository(client: client).register(registration, actor: "staff:test", logger: logger)
        let repository = CustomerRepository(client: client)
        let tenant = TenantID(UUID())
        _ = try await repository.upsertPage(
            partnerID: partner.id, customers: [CustomerListing(tenantID: tenant, companyName: "C")], logger: logger)
        guard let customer = try await repository.customer(partnerID: partner.id, tenantID: tenant, logger: logger) else {
            throw CustomerStoreError.noClock
        }
        return customer
    }

    func auditCount(_ client: PostgresClient, customerID: Int64) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM audit_events WHERE customer_id = \(customerID)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    @Test func applyWritesTheStateAndItsAuditEvents() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = ConsentStateRepository(client: client)
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
            let repository = ConsentStateRepository(client: client)
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

    @Test func countsByStateCountListedCustomers() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = ConsentStateRepository(client: client)
            let target = try await customer(client)
            try await repository.apply(
                customerID: target.id, change: ConsentStateChange(state: .missing, grantSetVersion: nil), audit: [], logger: logger)

            // when
            let counts = try await repository.countsByState(partnerID: target.partnerID, logger: logger)

            // then
            #expect(counts == [.missing: 1])
        }
    }
}
