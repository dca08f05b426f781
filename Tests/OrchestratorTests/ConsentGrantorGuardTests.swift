import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// What stops a re-grant before or instead of calling Partner Center.
@Suite struct ConsentGrantorGuardTests {
    @Test func partnerWaitingForReconsentBlocksWithoutAskingEntraOrPartnerCenter() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            try await h.partners.recordTokenFailure(
                partnerID: h.partner.id, reason: .partnerMustReconsent, code: "AADSTS700082", message: "expired",
                actor: "system:test", logger: h.logger)
            h.state.clearCalls()

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(outcome.result == .blocked)
            #expect(outcome.state == .blocked)
            #expect(outcome.errorCode == "partner_needs_reconsent")
            #expect(h.state.calls().isEmpty)
        }
    }

    @Test func removedCustomerIsRefused() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            let later = try await h.customers.syncStartTime(logger: h.logger).addingTimeInterval(1)
            _ = try await h.customers.markRemoved(partnerID: h.partner.id, notSeenSince: later, logger: h.logger)

            // when / then
            await #expect(throws: ConsentGrantorError.customerRemoved(customer.id)) {
                try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            }
            #expect(h.partnerCenterCalls().isEmpty)
        }
    }

    @Test func regrantWithoutAGrantSetIsRefused() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try #require(try await h.storeCustomers().first)

            // when / then
            await #expect(throws: ConsentGrantorError.noGrantSet) {
                try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            }
        }
    }

    @Test func endlessThrottlingCountsAsAttemptsPastTheLimitAndEnds() async throws {
        try await GrantorHarness.run { h in
            // given: every Partner Center call answers 429 (Retry-After 1 s)
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.throttles[.partnerCenter] = ThrottleFault(fraction: 1, retryAfterSeconds: 1) }

            // when
            let outcome = try await h.grantor(maxConsecutiveThrottles: 1).regrant(
                customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then: 429s alternate between waited-out and counted; the third counted one ends the task
            #expect(outcome.result == .failed)
            #expect(outcome.errorCode == "429")
            #expect(outcome.state == .unknown)
            #expect(h.partnerCenterCalls().map(\.status) == Array(repeating: 429, count: 6))
            #expect(try await h.actions(customerID: customer.id).suffix(2) == ["consent.delete.failed", "consent.gave_up"])
        }
    }
}
