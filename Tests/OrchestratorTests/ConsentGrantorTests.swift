import ConsentDomain
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// The re-grant of one customer against the simulator: the calls it makes and the trail it leaves.
@Suite struct ConsentGrantorTests {
    @Test func regrantMakesExactlyOneDeleteThenOnePostWithOneCorrelationID() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.method) == ["DELETE", "POST"])
            #expect(calls[0].path == "/v1/customers/\(customer.tenantID)/applicationconsents/\(GrantorHarness.appID)")
            #expect(calls[1].path == "/v1/customers/\(customer.tenantID)/applicationconsents")
            #expect(calls.map(\.status) == [404, 201])
            #expect(calls[0].msRequestId != calls[1].msRequestId)
            #expect(calls[0].msCorrelationId == calls[1].msCorrelationId)
            #expect(outcome.result == .succeeded)
            #expect(outcome.state == .granted)
            #expect(outcome.grantSetVersion == 1)
            #expect(outcome.calls.map { $0.requestID.uuidString.lowercased() } == calls.compactMap(\.msRequestId))
        }
    }

    @Test func regrantPostsTheGrantSetPayload() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let consents = await h.state.consents(customerId: customer.tenantID.description)
            #expect(consents.count == 1)
            #expect(consents.first?.applicationId == GrantorHarness.appID)
            #expect(consents.first?.displayName == "CPV Test App")
            let grants = consents.first?.applicationGrants.map { "\($0.enterpriseApplicationId)=\($0.scope)" } ?? []
            #expect(grants == [
                "00000003-0000-0000-c000-000000000000=Directory.Read.All,User.Read.All",
                "797f4846-ba00-4fd7-ba43-dac1f8f63013=user_impersonation",
            ])
            let posted = try await h.auditEvents(customerID: customer.id).first { $0.action == "consent.post.requested" }
            let body = try JSONSerialization.jsonObject(with: Data((posted?.requestBody ?? "").utf8)) as? [String: Any]
            #expect(body?["applicationId"] as? String == GrantorHarness.appID)
            #expect((body?["applicationGrants"] as? [[String: String]])?.count == 2)
        }
    }

    @Test func regrantRecordsFourAuditEventsWithTheCallsRequestIDs() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let events = try await h.auditEvents(customerID: customer.id)
            #expect(events.map(\.action) == [
                "consent.delete.requested", "consent.delete.not_found", "consent.post.requested", "consent.post.succeeded",
            ])
            let calls = h.partnerCenterCalls()
            #expect(events[0].requestID?.uuidString.lowercased() == calls[0].msRequestId)
            #expect(events[1].requestID == events[0].requestID)
            #expect(events[2].requestID?.uuidString.lowercased() == calls[1].msRequestId)
            #expect(events[3].status == 201)
            #expect(Set(events.compactMap(\.correlationID)).count == 1)
            #expect(events.allSatisfy { !($0.requestBody ?? "").contains("Bearer") })
        }
    }

    @Test func regrantStoresGrantedWithTheGrantSetVersion() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            let stored = try await h.consents.consent(customerID: customer.id, logger: h.logger)
            #expect(stored?.state == .granted)
            #expect(stored?.grantSetVersion == 1)
            #expect(stored?.attempts == 1)
            #expect(stored?.lastSuccessAt != nil)
            #expect(stored?.lastErrorCode == nil)
        }
    }

    @Test func deleteOfAnExistingConsentAnswers204AndIsRecordedAsSucceeded() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            h.state.clearCalls()

            // when
            let outcome = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(h.partnerCenterCalls().map(\.status) == [204, 201])
            #expect(outcome.state == .granted)
            let actions = try await h.actions(customerID: customer.id)
            #expect(actions.suffix(4) == [
                "consent.delete.requested", "consent.delete.succeeded", "consent.post.requested", "consent.post.succeeded",
            ])
        }
    }

    @Test func verificationThroughGraphRecordsVerified() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()

            // when
            let outcome = try await h.grantor(verifyGrants: true).regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(outcome.verification?.verified == true)
            #expect(outcome.verification?.differences == [])
            let actions = try await h.actions(customerID: customer.id)
            #expect(actions.last == "consent.verified")
        }
    }

    @Test func graphOutageDuringVerificationIsRecordedWithoutChangingTheState() async throws {
        try await GrantorHarness.run { h in
            // given
            let customer = try await h.firstCustomer()
            h.state.updateFaults { $0.failures[.graph] = FailureFault(fraction: 1, status: 503) }

            // when
            let outcome = try await h.grantor(verifyGrants: true).regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(outcome.state == .granted)
            #expect(outcome.verification?.verified == false)
            #expect(outcome.verification?.errorCode == "graph_503")
            let events = try await h.auditEvents(customerID: customer.id)
            #expect(events.last?.action == "consent.verification_failed")
            #expect(events.last?.errorCode == "graph_503")
        }
    }
}
