import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO

/// Rows the store tests start from.
enum StoreFixtures {
    /// A customer of a freshly registered partner, stored as a sync stores it (with its consent row).
    static func customer(_ client: PostgresClient, companyName: String = "Contoso", domain: String? = "contoso.example") async throws -> Customer {
        let logger = TestDatabase.logger
        let registration = try PartnerRegistration(tenantId: UUID().uuidString, displayName: "Partner", cloud: "global").validated()
        let partner = try await PartnerRepository(client: client, audit: TestAudit.writer).register(registration, actor: "staff:test", logger: logger)
        let repository = CustomerRepository(client: client)
        let tenant = TenantID(UUID())
        _ = try await repository.upsertPage(
            partnerID: partner.id, customers: [CustomerListing(tenantID: tenant, companyName: companyName, domain: domain)],
            logger: logger)
        guard let customer = try await repository.customer(partnerID: partner.id, tenantID: tenant, logger: logger) else {
            throw CustomerStoreError.noClock
        }
        return customer
    }
}
