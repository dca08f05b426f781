import AdminServer
import CPVTestSupport
import ConsentStore
import Foundation
import Hummingbird
import PartnerCenterSimulator
import Testing

/// The whole Secure Application Model through the admin API, against the simulator: register,
/// consent, sync the customers, re-grant one, and see the consent in the customer's tenant.
@Suite struct ConsentEndToEndTests {
    @Test func aPartnerIsOnboardedSyncedAndOneCustomerReGrantedThroughTheAPI() async throws {
        try await IdentityHarness.run(customers: 12) { h in
            // given: a consented partner
            let id = try await h.registerPartner(0)
            #expect(try await h.consent(partnerID: id).status == .ok)
            let partnerPath = "/api/v1/partners/\(id.uuidString.lowercased())"
            // when: staff sync its customers
            let (syncStatus, syncBody) = try await h.api(.post, partnerPath + "/sync")
            #expect(syncStatus == .ok, "\(syncBody)")
            #expect(syncBody.contains(#""added":12"#))
            // and re-grant one of them
            let customer = h.world.partners[0].customers[3]
            let rows = try await h.database.query(
                "SELECT id FROM customers WHERE tenant_id = \(try #require(UUID(uuidString: customer.tenantId)))", logger: h.logger)
            var customerID: Int64?
            for try await row in rows.decode(Int64.self) { customerID = row }
            let (status, body) = try await h.api(.post, "/api/v1/customers/\(try #require(customerID))/regrant")
            // then: granted, with exactly DELETE then POST, and the consent exists in the customer tenant
            #expect(status == .ok, "\(body)")
            #expect(body.contains(#""state":"granted""#))
            let consents = await h.simulator.state.consents(customerId: customer.tenantId)
            #expect(consents.count == 1)
            #expect(consents.first?.applicationId.lowercased() == TestEnvironment.applicationID)
            let grants = Set(consents.first?.applicationGrants.map(\.enterpriseApplicationId) ?? [])
            #expect(grants == ["00000003-0000-0000-c000-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013"])
            let calls = h.simulator.state.calls().filter { $0.customerId?.lowercased() == customer.tenantId.lowercased() && $0.path.contains("applicationconsents") }
            #expect(calls.map(\.method) == ["DELETE", "POST"])
            #expect(Set(calls.compactMap(\.msCorrelationId)).count == 1)
            // and the audit chain is intact
            #expect(try await AuditChainVerifier.verify(client: h.database, keys: TestAudit.keys, logger: h.logger).isIntact)
        }
    }

    @Test func theGrantSetSeededAtBootIsServed() async throws {
        try await IdentityHarness.run { h in
            let (status, body) = try await h.api(.get, "/api/v1/grant-sets")
            #expect(status == .ok)
            #expect(body.contains("Domain.ReadWrite.All"))
            #expect(body.contains("user_impersonation"))
        }
    }
}
