import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

/// The one-statement read a consent task starts from returns exactly what the four repositories
/// return on their own.
@Suite struct GrantContextQueryTests {
    let logger = TestDatabase.logger

    func customer(_ client: PostgresClient) async throws -> Customer {
        try await StoreFixtures.customer(client)
    }

    @Test func aCustomerWithEverythingReadsAsTheRepositoriesReadIt() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a customer with a partner, two grant set versions and a stored consent
            let target = try await customer(client)
            let grantSets = GrantSetRepository(client: client, audit: TestAudit.writer)
            let first = try await grantSets.seedIfEmpty(
                applicationID: ApplicationID(UUID()), displayName: "CPV", graphScopes: ["Directory.Read.All"], logger: logger)
            let draft = GrantSetDraft(
                applicationID: first.applicationID.description, displayName: "CPV v2",
                grants: [.init(enterpriseApplicationID: ApplicationID.microsoftGraph.description, scope: "User.Read.All")])
            _ = try await grantSets.publish(try draft.validated(), actor: "staff:test", logger: logger)
            let consents = ConsentStateRepository(client: client, audit: TestAudit.writer)
            try await consents.apply(
                customerID: target.id,
                change: ConsentStateChange(state: .failed, grantSetVersion: 1, errorCode: "403", error: "forbidden", startsAttempt: true,
                                           succeeded: false, correlationID: UUID()),
                audit: [], logger: logger)

            // when
            let context = try await GrantContextQuery(client: client).context(customerID: target.id, logger: logger)

            // then
            #expect(context?.customer == target)
            #expect(context?.partner == (try await PartnerRepository(client: client, audit: TestAudit.writer).partner(id: target.partnerID, logger: logger)))
            #expect(context?.grantSet == (try await grantSets.current(logger: logger)))
            #expect(context?.grantSet?.version == 2)
            #expect(context?.consent == (try await consents.consent(customerID: target.id, logger: logger)))
            #expect(context?.consent?.lastErrorCode == "403")
        }
    }

    @Test func missingPartsAreNilAndAnUnknownCustomerIsNil() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a customer with no grant set published and no consent row
            let target = try await customer(client)
            try await client.query("DELETE FROM customer_consents WHERE customer_id = \(target.id)", logger: logger)

            // when
            let query = GrantContextQuery(client: client)
            let context = try await query.context(customerID: target.id, logger: logger)

            // then
            #expect(context?.customer == target)
            #expect(context?.partner?.id == target.partnerID)
            #expect(context?.grantSet == nil)
            #expect(context?.consent == nil)
            #expect(try await query.context(customerID: target.id + 1_000, logger: logger) == nil)
        }
    }
}
