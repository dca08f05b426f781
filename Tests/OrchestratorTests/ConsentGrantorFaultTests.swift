import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// Each Partner Center answer (partner-center-api.md §4.3, §6) and where it leaves the customer.
@Suite struct ConsentGrantorFaultTests {
    /// Grants once so the customer holds a consent: the next DELETE answers 204 and arms
    /// `failPostAfterDelete` faults.
    private func grantedCustomer(_ h: GrantorHarness) async throws -> ConsentDomain.Customer {
        let customer = try await h.firstCustomer()
        _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
        h.state.clearCalls()
        return customer
    }

    private func newActions(_ h: GrantorHarness, _ customer: ConsentDomain.Customer, after count: Int) async throws -> [String] {
        Array(try await h.actions(customerID: customer.id).dropFirst(count))
    }

    @Test func postAnswering400LeavesTheCustomerMissing() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            // Key Vault has no service principal in simulated customers: Partner Center answers 400 / 3000.
            let draft = GrantSetDraft(
                applicationID: GrantorHarness.appID, displayName: "CPV Test App",
                grants: [.init(enterpriseApplicationID: "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", scope: "user_impersonation")])
            _ = try await h.grantSets.publish(try draft.validated(), actor: "staff:test", logger: h.logger)

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [404, 400])
            #expect(outcome.result == .failed)
            #expect(outcome.state == .missing)
            #expect(outcome.errorCode == "3000")
            #expect(try await h.actions(customerID: customer.id) == [
                "consent.delete.requested", "consent.delete.not_found", "consent.post.requested", "consent.post.failed",
            ])
            let stored = try await h.consents.consent(customerID: customer.id, logger: h.logger)
            #expect(stored?.state == .missing)
            #expect(stored?.lastErrorCode == "3000")
        }
    }

    @Test func missingCustomerIsRepairedByTheNextAttempt() async throws {
        try await GrantorHarness.run { h in
            // given: DELETE succeeds, then the POST fails for good
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.failPostAfterDelete[customer.tenantID.description] = 400 }
            let first = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            #expect(first.state == .missing)
            #expect(await h.state.consents(customerId: customer.tenantID.description).isEmpty)

            // when
            let second = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(second.state == .granted)
            #expect(h.partnerCenterCalls().map(\.status) == [204, 400, 404, 201])
            #expect(await h.state.consents(customerId: customer.tenantID.description).count == 1)
        }
    }

    @Test func crashBetweenDeleteAndPostIsRepairedByTheNextAttempt() async throws {
        try await GrantorHarness.run { h in
            // given: a task that got as far as the DELETE and died (state `granting`, consent gone)
            let customer = try await grantedCustomer(h)
            try await h.consents.apply(
                customerID: customer.id, change: ConsentStateChange(state: .granting, grantSetVersion: 1, startsAttempt: true),
                audit: [], logger: h.logger)
            let token = try await h.tokens.partnerCenterToken(for: h.partner, logger: h.logger)
            _ = try await h.partnerCenter.deleteConsent(
                profile: h.tokens.profile(for: h.partner), accessToken: token, customerTenantID: customer.tenantID.description,
                applicationID: GrantorHarness.appID, ids: .init(correlationID: UUID()), logger: h.logger)
            #expect(await h.state.consents(customerId: customer.tenantID.description).isEmpty)
            h.state.clearCalls()

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [404, 201])
            #expect(outcome.state == .granted)
            #expect(await h.state.consents(customerId: customer.tenantID.description).count == 1)
        }
    }

    @Test func postAnswering404AfterTheDeleteLeavesTheCustomerMissing() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.failPostAfterDelete[customer.tenantID.description] = 404 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [204, 404])
            #expect(outcome.result == .failed)
            #expect(outcome.state == .missing)
            #expect(try await newActions(h, customer, after: 4) == [
                "consent.delete.requested", "consent.delete.succeeded", "consent.post.requested", "consent.post.failed",
            ])
        }
    }

    @Test func deleteAnswering403FailsWithoutTouchingTheConsent() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.forbiddenCustomers.insert(customer.tenantID.description) }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [403])
            #expect(outcome.result == .failed)
            #expect(outcome.state == .failed)
            #expect(outcome.errorCode == "400")
            #expect(try await h.actions(customerID: customer.id) == ["consent.delete.requested", "consent.delete.failed"])
        }
    }

    @Test func repeated401BlocksTheCustomerAndFlipsThePartner() async throws {
        try await GrantorHarness.run { h in
            // given: Partner Center refuses every token, even a freshly redeemed one
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 401) }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [401, 401])
            #expect(calls[0].msRequestId == calls[1].msRequestId)
            #expect(outcome.result == .blocked)
            #expect(outcome.state == .blocked)
            #expect(try await h.actions(customerID: customer.id) == [
                "consent.delete.requested", "consent.delete.failed", "consent.retry.scheduled",
                "consent.delete.requested", "consent.delete.failed", "consent.blocked",
            ])
            let partner = try await h.partners.partner(id: h.partner.id, logger: h.logger)
            #expect(partner?.status == .needsReconsent)
        }
    }

    @Test func single401OnPostIsRetriedWithANewTokenAndTheSameRequestID() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.failPostAfterDelete[customer.tenantID.description] = 401 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [204, 401, 201])
            #expect(calls[1].msRequestId == calls[2].msRequestId)
            #expect(outcome.state == .granted)
        }
    }

    @Test func conflictOnPostRerunsThePairOnceWithANewCorrelationID() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.failPostAfterDelete[customer.tenantID.description] = 409 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.method) == ["DELETE", "POST", "DELETE", "POST"])
            #expect(calls.map(\.status) == [204, 409, 404, 201])
            #expect(calls[0].msCorrelationId == calls[1].msCorrelationId)
            #expect(calls[2].msCorrelationId == calls[3].msCorrelationId)
            #expect(calls[1].msCorrelationId != calls[2].msCorrelationId)
            #expect(outcome.state == .granted)
            #expect(try await newActions(h, customer, after: 4) == [
                "consent.delete.requested", "consent.delete.succeeded", "consent.post.requested", "consent.post.conflict",
                "consent.pair.rerun", "consent.delete.requested", "consent.delete.not_found", "consent.post.requested",
                "consent.post.succeeded",
            ])
        }
    }

    @Test func secondConflictAfterTheRerunFailsWithTheConflictCode() async throws {
        try await GrantorHarness.run { h in
            // given: the consent "survives" every DELETE, so both POSTs find it
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.conflictOnPost[customer.tenantID.description] = 2 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [204, 409, 404, 409])
            #expect(outcome.result == .failed)
            #expect(outcome.state == .failed)
            #expect(outcome.errorCode == "409")
            #expect(try await newActions(h, customer, after: 4) == [
                "consent.delete.requested", "consent.delete.succeeded", "consent.post.requested", "consent.post.conflict",
                "consent.pair.rerun", "consent.delete.requested", "consent.delete.not_found", "consent.post.requested",
                "consent.post.conflict", "consent.gave_up",
            ])
        }
    }

    @Test func throttledDeleteWaitsRetryAfterAndRetriesWithTheSameRequestID() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.throttles[.partnerCenter] = ThrottleFault(next: 1, retryAfterSeconds: 1) }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [429, 404, 201])
            #expect(calls[0].msRequestId == calls[1].msRequestId)
            #expect(calls[1].startedAt - calls[0].endedAt >= 1)
            #expect(outcome.state == .granted)
            #expect(try await h.actions(customerID: customer.id) == [
                "consent.delete.requested", "consent.delete.failed", "consent.throttled",
                "consent.delete.requested", "consent.delete.not_found", "consent.post.requested", "consent.post.succeeded",
            ])
        }
    }

    @Test func serverErrorsOnDeleteGiveUpAfterTheAttemptLimitAndKeepTheState() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 503) }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [503, 503, 503])
            #expect(Set(calls.compactMap(\.msRequestId)).count == 1)
            #expect(outcome.result == .failed)
            #expect(outcome.errorCode == "503")
            #expect(outcome.state == .unknown)
            #expect(try await h.actions(customerID: customer.id).suffix(2) == ["consent.delete.failed", "consent.gave_up"])
        }
    }

    @Test func serverErrorOnPostIsRetriedAndGrants() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await grantedCustomer(h)
            h.state.updateFaults { $0.failPostAfterDelete[customer.tenantID.description] = 503 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [204, 503, 201])
            #expect(calls[1].msRequestId == calls[2].msRequestId)
            #expect(outcome.state == .granted)
            #expect(try await newActions(h, customer, after: 4) == [
                "consent.delete.requested", "consent.delete.succeeded", "consent.post.requested", "consent.post.failed",
                "consent.retry.scheduled", "consent.post.requested", "consent.post.succeeded",
            ])
        }
    }

    @Test func deleteTimingOutIsRetriedWithTheSameRequestID() async throws {
        // Only the hung call may time out: at 1 s, a full parallel suite on a busy 2-core machine
        // also timed out the retries (seen with and without the simulator's strict limits).
        try await GrantorHarness.run(callTimeout: .seconds(5)) { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.hangs[.partnerCenter] = CountOrFraction(next: 1) }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(outcome.state == .granted)
            #expect(outcome.calls.map(\.status) == [nil, 404, 201])
            #expect(outcome.calls[0].requestID == outcome.calls[1].requestID)
            let events = try await h.auditEvents(customerID: customer.id)
            #expect(events[1].action == "consent.delete.failed")
            #expect(events[1].errorCode == "timeout")
        }
    }

    @Test func refusedConnectionGivesUpAfterTheAttemptLimit() async throws {
        // Port 1 on loopback: nothing listens there, so every connection is refused.
        try await GrantorHarness.run(partnerCenterURL: "http://127.0.0.1:1", callTimeout: .seconds(2)) { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(outcome.result == .failed)
            #expect(outcome.errorCode == "unreachable")
            #expect(outcome.calls.count == 3)
            #expect(outcome.state == .unknown)
            let stored = try await h.consents.consent(customerID: customer.id, logger: h.logger)
            #expect(stored?.state == .unknown)
            #expect(stored?.lastErrorCode == "unreachable")
        }
    }

    @Test func deadRefreshTokenBlocksTheCustomerWithoutAnyCall() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.deadRefreshTokens[h.simulatedPartner.tenantId] = 700082 }

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().isEmpty)
            #expect(outcome.result == .blocked)
            #expect(outcome.state == .blocked)
            #expect(outcome.errorCode == "AADSTS700082")
            #expect(try await h.actions(customerID: customer.id) == ["consent.token.failed", "consent.blocked"])
            let partner = try await h.partners.partner(id: h.partner.id, logger: h.logger)
            #expect(partner?.status == .needsReconsent)
            #expect(try await h.partnerActions().contains("partner.needs_reconsent"))
        }
    }
}
