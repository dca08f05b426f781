import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

@Suite struct CustomerRepositoryTests {
    let logger = TestDatabase.logger

    func partner(_ client: PostgresClient) async throws -> Partner {
        let registration = try PartnerRegistration(tenantId: UUID().uuidString, displayName: "Partner", cloud: "global").validated()
        return try await PartnerRepository(client: client, audit: TestAudit.writer).register(registration, actor: "staff:test", logger: logger)
    }

    func listings(_ count: Int) -> [CustomerListing] {
        (0..<count).map { CustomerListing(tenantID: TenantID(UUID()), companyName: "Customer \($0)", domain: "c\($0).onmicrosoft.com") }
    }

    @Test func upsertCountsAddedAndUpdatedRows() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let owner = try await partner(client)
            let first = listings(3)
            _ = try await repository.upsertPage(partnerID: owner.id, customers: first, logger: logger)

            // when
            let counts = try await repository.upsertPage(partnerID: owner.id, customers: first + listings(2), logger: logger)

            // then
            #expect(counts == CustomerUpsertCounts(added: 2, updated: 3))
            #expect(try await repository.count(partnerID: owner.id, logger: logger) == 5)
        }
    }

    @Test func newCustomerGetsAnUnknownConsentRow() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let owner = try await partner(client)
            let listing = listings(1)[0]

            // when
            _ = try await repository.upsertPage(partnerID: owner.id, customers: [listing], logger: logger)

            // then
            let customer = try #require(try await repository.customer(partnerID: owner.id, tenantID: listing.tenantID, logger: logger))
            let consent = try await ConsentStateRepository(client: client, audit: TestAudit.writer).consent(customerID: customer.id, logger: logger)
            #expect(consent?.state == .unknown)
            #expect(consent?.attempts == 0)
        }
    }

    @Test func tenantListedTwiceInOnePageIsWrittenOnce() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let owner = try await partner(client)
            var twice = listings(1)[0]
            let renamed = CustomerListing(tenantID: twice.tenantID, companyName: "Renamed")
            twice.companyName = "Original"

            // when
            let counts = try await repository.upsertPage(partnerID: owner.id, customers: [twice, renamed], logger: logger)

            // then
            #expect(counts == CustomerUpsertCounts(added: 1, updated: 0))
            let stored = try await repository.customer(partnerID: owner.id, tenantID: twice.tenantID, logger: logger)
            #expect(stored?.companyName == "Renamed")
        }
    }

    @Test func markRemovedTouchesOnlyCustomersNotSeenSinceTheSyncStarted() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let owner = try await partner(client)
            let stale = listings(2)
            let fresh = listings(3)
            _ = try await repository.upsertPage(partnerID: owner.id, customers: stale, logger: logger)
            let syncStart = try await repository.syncStartTime(logger: logger)
            _ = try await repository.upsertPage(partnerID: owner.id, customers: fresh, logger: logger)

            // when
            let removed = try await repository.markRemoved(partnerID: owner.id, notSeenSince: syncStart, logger: logger)

            // then
            #expect(removed == 2)
            #expect(try await repository.count(partnerID: owner.id, logger: logger) == 3)
            #expect(try await repository.count(partnerID: owner.id, includingRemoved: true, logger: logger) == 5)
        }
    }

    @Test func removedCustomerListedAgainIsRestored() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let owner = try await partner(client)
            let listing = listings(1)[0]
            _ = try await repository.upsertPage(partnerID: owner.id, customers: [listing], logger: logger)
            let syncStart = try await repository.syncStartTime(logger: logger)
            _ = try await repository.markRemoved(partnerID: owner.id, notSeenSince: syncStart, logger: logger)

            // when
            let counts = try await repository.upsertPage(partnerID: owner.id, customers: [listing], logger: logger)

            // then
            #expect(counts.updated == 1)
            let stored = try await repository.customer(partnerID: owner.id, tenantID: listing.tenantID, logger: logger)
            #expect(stored?.removedAt == nil)
        }
    }

    @Test func lookupByTenantFindsTheCustomerOfEveryPartner() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = CustomerRepository(client: client)
            let listing = listings(1)[0]
            for _ in 0..<2 {
                _ = try await repository.upsertPage(partnerID: try await partner(client).id, customers: [listing], logger: logger)
            }

            // when
            let found = try await repository.customers(tenantID: listing.tenantID, logger: logger)

            // then
            #expect(found.count == 2)
            let byID = try await repository.customer(id: found[0].id, logger: logger)
            #expect(byID?.tenantID == listing.tenantID)
        }
    }
}
