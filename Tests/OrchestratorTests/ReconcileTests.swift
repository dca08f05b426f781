import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// Verify-first reconcile of one customer against the simulator (issue #16): what is read through
/// Graph, when consent calls are made, what is stored and audited.
@Suite struct ReconcileTests {
    /// Publishes a new grant set version with these Graph scopes (ARM `user_impersonation` kept).
    static func publish(graphScopes: String, _ h: GrantorHarness) async throws {
        let draft = GrantSetDraft(
            applicationID: GrantorHarness.appID, displayName: "CPV Test App",
            grants: [
                .init(enterpriseApplicationID: ApplicationID.microsoftGraph.description, scope: graphScopes),
                .init(enterpriseApplicationID: ApplicationID.azureResourceManager.description, scope: "user_impersonation"),
            ])
        _ = try await h.grantSets.publish(try draft.validated(), actor: "staff:test", logger: h.logger)
    }

    static func reconcile(_ customer: Customer, _ h: GrantorHarness) async throws -> ConsentGrantOutcome {
        try await h.grantor().perform(.reconcile, customerID: customer.id, actor: "system:test", logger: h.logger)
    }

    static func stored(_ customer: Customer, _ h: GrantorHarness) async throws -> StoredVerification? {
        try await VerificationRepository(client: h.database).verification(customerID: customer.id, logger: h.logger)
    }

    @Test func aTenantHoldingExactlyTheGrantSetIsVerifiedWithoutAConsentCall() async throws {
        try await GrantorHarness.run { h in
            // given a customer granted the current grant set
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            let callsBefore = h.partnerCenterCalls().count

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then Graph was read (our service principal with the resources', then our grants) and
            // Partner Center was not called
            #expect(outcome.result == .succeeded)
            #expect(outcome.reconciled?.state == .verified)
            #expect(outcome.calls.isEmpty)
            #expect(outcome.graphReads == 2)
            #expect(h.partnerCenterCalls().count == callsBefore)
            let stored = try await Self.stored(customer, h)
            #expect(stored?.verification.state == .verified)
            #expect(stored?.verification.servicePrincipalID != nil)
            #expect(stored?.grantSetVersion == 1)
            #expect(stored?.lastKnownState == .verified)
            // nothing changed, so nothing is reported as drift
            #expect(try await !h.actions(customerID: customer.id).contains("consent.drift.detected"))
        }
    }

    @Test func aTenantWithoutOurConsentIsMissingThenGrantedAndReadAgain() async throws {
        try await GrantorHarness.run { h in
            // given a customer whose tenant never consented
            let customer = try await h.firstCustomer()

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then it was read as missing, granted (DELETE + POST) and read again as verified
            #expect(outcome.reconciled?.state == .missing)
            // Entra refuses a token in a tenant where our app is not consented (AADSTS65001): a finding
            #expect(outcome.reconciled?.code == "AADSTS65001")
            #expect(h.partnerCenterCalls().map(\.method) == ["DELETE", "POST"])
            #expect(outcome.result == .succeeded)
            #expect(outcome.verification?.verified == true)
            #expect(try await Self.stored(customer, h)?.verification.state == .verified)
            let actions = try await h.actions(customerID: customer.id)
            #expect(actions.first == "consent.drift.detected")
            #expect(actions.last == "consent.verified")
            #expect(actions.contains("consent.post.succeeded"))
        }
    }

    @Test func aMissingScopeIsDriftPerResourceAndIsRepaired() async throws {
        try await GrantorHarness.run { h in
            // given a tenant granted version 1, and a version 2 that adds a Graph scope
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            try await Self.publish(graphScopes: "Directory.Read.All,User.Read.All,Mail.Read", h)
            let callsBefore = h.partnerCenterCalls().count

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then the difference is named per resource and scope, and repaired in the same task
            #expect(outcome.reconciled?.state == .drifted)
            #expect(outcome.reconciled?.resources == [
                ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["Mail.Read"], extraScopes: []),
            ])
            #expect(h.partnerCenterCalls().dropFirst(callsBefore).map(\.method) == ["DELETE", "POST"])
            #expect(outcome.verification?.verified == true)
            let stored = try await Self.stored(customer, h)
            #expect(stored?.verification.state == .verified)
            #expect(stored?.grantSetVersion == 2)
            let drift = try await h.auditEvents(customerID: customer.id).first { $0.action == "consent.drift.detected" }
            #expect(drift != nil)
        }
    }

    @Test func anExtraScopeIsDriftToo() async throws {
        try await GrantorHarness.run { h in
            // given a tenant granted version 1, and a version 2 without User.Read.All
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            try await Self.publish(graphScopes: "Directory.Read.All", h)

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then
            #expect(outcome.reconciled?.state == .drifted)
            #expect(outcome.reconciled?.resources == [
                ResourceDifference(applicationID: .microsoftGraph, missingScopes: [], extraScopes: ["User.Read.All"]),
            ])
            #expect(outcome.verification?.verified == true)
        }
    }

    @Test func aScopeRemovedInTheTenantItselfIsFoundAndRepaired() async throws {
        try await GrantorHarness.run { h in
            // given a granted tenant whose admin removed User.Read.All behind Partner Center's back
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            try await h.state.drift(
                customerId: customer.tenantID.description,
                .removeScope("User.Read.All", resourceAppId: ApplicationID.microsoftGraph.description))
            let callsBefore = h.partnerCenterCalls().count

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then our records said granted, the tenant did not: drifted, repaired, verified
            #expect(outcome.reconciled?.state == .drifted)
            #expect(outcome.reconciled?.resources == [
                ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["User.Read.All"], extraScopes: []),
            ])
            #expect(h.partnerCenterCalls().dropFirst(callsBefore).map(\.method) == ["DELETE", "POST"])
            #expect(outcome.verification?.verified == true)
            #expect(try await Self.stored(customer, h)?.verification.state == .verified)
        }
    }

    @Test func aDeletedServicePrincipalIsMissingAndIsGrantedAgain() async throws {
        try await GrantorHarness.run { h in
            // given a granted tenant whose admin deleted our service principal
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            try await h.state.drift(customerId: customer.tenantID.description, .deleteServicePrincipal())

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then
            #expect(outcome.reconciled?.state == .missing)
            #expect(outcome.verification?.verified == true)
            let drift = try await h.auditEvents(customerID: customer.id).last { $0.action == "consent.drift.detected" }
            #expect(drift != nil)
        }
    }

    @Test func aTenantWhereGraphRefusesUsIsUnknown() async throws {
        try await GrantorHarness.run { h in
            // given Graph answering 403 Authorization_RequestDenied in the tenant
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            h.state.updateFaults { $0.graphForbiddenTenants = [customer.tenantID.description] }

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then
            #expect(outcome.reconciled?.state == .unknown)
            #expect(outcome.reconciled?.code == "graph_403")
            #expect(outcome.reconciled?.reason?.contains("Authorization_RequestDenied") == true)
            #expect(outcome.failure == .transient)
        }
    }

    /// 5xx and 403 (forbidden: e.g. the partner's GDAP roles do not reach the tenant's directory).
    @Test(arguments: [503, 500, 403])
    func aGraphFailureIsUnknownNeverVerifiedAndCallsNothing(status: Int) async throws {
        try await GrantorHarness.run { h in
            // given a granted tenant and Graph failing
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            let callsBefore = h.partnerCenterCalls().count
            h.state.updateFaults { $0.failures[.graph] = FailureFault(fraction: 1, status: status) }

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then the reading is unknown, stored as such (with the last known state kept), the
            // task is a transient failure to try again, and no consent call was made
            #expect(outcome.reconciled?.state == .unknown)
            #expect(outcome.reconciled?.code == "graph_\(status)")
            #expect(outcome.result == .failed)
            #expect(outcome.failure == .transient)
            #expect(outcome.retryAfter == nil)
            #expect(h.partnerCenterCalls().count == callsBefore)
            let stored = try await Self.stored(customer, h)
            #expect(stored?.verification.state == .unknown)
            #expect(stored?.lastKnownState == nil)
        }
    }

    @Test func aGraph429IsUnknownWithItsRetryAfterAndKeepsTheLastKnownState() async throws {
        try await GrantorHarness.run { h in
            // given a tenant read once as verified, then Graph throttling
            let customer = try await h.firstCustomer()
            _ = try await h.grantor().regrant(customerID: customer.id, actor: "staff:test", logger: h.logger)
            _ = try await Self.reconcile(customer, h)
            h.state.updateFaults { $0.throttles[.graph] = ThrottleFault(fraction: 1, retryAfterSeconds: 7) }

            // when
            let outcome = try await Self.reconcile(customer, h)

            // then
            #expect(outcome.reconciled?.state == .unknown)
            #expect(outcome.reconciled?.code == "graph_429")
            #expect(outcome.retryAfter == 7)
            #expect(outcome.failure == .transient)
            let stored = try await Self.stored(customer, h)
            #expect(stored?.verification.state == .unknown)
            #expect(stored?.lastKnownState == .verified)
        }
    }

    @Test func driftIsAuditedOnceUntilTheTenantChangesAgain() async throws {
        try await GrantorHarness.run { h in
            // given a tenant that was missing and was repaired by a reconcile
            let customer = try await h.firstCustomer()
            _ = try await Self.reconcile(customer, h)

            // when it is reconciled again, unchanged
            let again = try await Self.reconcile(customer, h)

            // then it is verified and no second drift event is written
            #expect(again.reconciled?.state == .verified)
            let drifts = try await h.actions(customerID: customer.id).filter { $0 == "consent.drift.detected" }
            #expect(drifts.count == 1)
        }
    }
}
