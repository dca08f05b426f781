import ConsentDomain
import Foundation
import Testing

@Suite struct CustomerTests {
    @Test func aCustomerWithARemovalDateIsNoLongerListed() throws {
        // given
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let tenant = try #require(TenantID("6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01"))
        var customer = Customer(
            id: 7, partnerID: UUID(), tenantID: tenant, companyName: "Fabrikam", firstSeenAt: now, lastSeenAt: now)
        #expect(customer.isListed)
        // when
        customer.removedAt = now
        // then
        #expect(!customer.isListed)
    }
}
