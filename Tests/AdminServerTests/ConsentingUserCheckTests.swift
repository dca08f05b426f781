import AdminServer
import CPVTestSupport
import ConsentStore
import Foundation
import Hummingbird
import PartnerCenterSimulator
import Testing

/// The callback checks who consented (issue #14, item 3) against every kind of user the simulator
/// signs in, and every registration of the application the callback must cope with.
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct ConsentingUserCheckTests {
    /// A registration without the groups claim, holding a directory-read Graph permission: the
    /// callback must read roles and groups through Graph.
    static let graphOnly = IdentityHarness.application(groupMembershipClaims: nil, graphScopes: ["User.Read", "Directory.Read.All"])

    func refused(_ h: IdentityHarness, as user: String, code: String, status: HTTPResponse.Status = .forbidden) async throws {
        // given
        let id = try await h.registerPartner(0)
        // when
        let result = try await h.consent(partnerID: id, loginHint: "\(user)@\(h.world.partners[0].domain)")
        // then
        #expect(result.status == status)
        #expect(result.body.contains(code), "\(result.body)")
        let row = try await h.partnerRow(id)
        #expect(row.status == "pending_consent")
        #expect(row.sealed == nil)
        #expect(try await h.auditActions(partnerID: id).last == "partner.consent.refused")
    }

    @Test func aPlainMemberIsRefused() async throws {
        try await IdentityHarness.run { h in try await refused(h, as: "member", code: "not_an_admin") }
    }

    @Test func aGuestIsRefusedThoughAGlobalAdministrator() async throws {
        try await IdentityHarness.run { h in try await refused(h, as: "guest_outside.example#EXT#", code: "guest_user") }
    }

    @Test func aPlainMemberIsRefusedWhenRolesComeFromGraph() async throws {
        try await IdentityHarness.run(application: Self.graphOnly) { h in try await refused(h, as: "member", code: "not_an_admin") }
    }

    @Test func withoutWidsOrADirectoryReadPermissionTheRoleIsUnverifiable() async throws {
        let userReadOnly = IdentityHarness.application(groupMembershipClaims: nil, graphScopes: ["User.Read"])
        try await IdentityHarness.run(application: userReadOnly) { h in try await refused(h, as: "admin", code: "admin_unverifiable") }
    }

    @Test func aGlobalAdministratorIsRecognisedThroughGraph() async throws {
        try await IdentityHarness.run(application: Self.graphOnly) { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id)
            // then
            #expect(result.status == .ok, "\(result.body)")
            #expect(try await h.partnerRow(id).status == "active")
        }
    }

    @Test func anAdminAgentMayConsent() async throws {
        try await IdentityHarness.run(application: Self.graphOnly) { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id, loginHint: "agent@\(h.world.partners[0].domain)")
            // then
            #expect(result.status == .ok, "\(result.body)")
            #expect(try await h.services.partners.partner(id: id, logger: h.logger)?.consentedBy == "agent@\(h.world.partners[0].domain)")
        }
    }

    @Test func anIssuerOtherThanThePartnersTenantIsRefused() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            // when: the authorization response claims another authorization server
            let result = try await h.consent(partnerID: id, tamperCallback: {
                $0.replacingOccurrences(of: #"iss=[^&]*"#, with: "iss=https%3A%2F%2Fevil.example%2Fv2.0", options: .regularExpression)
            })
            // then
            #expect(result.status == .badRequest)
            #expect(result.body.contains("issuer_mismatch"))
            #expect(try await h.partnerRow(id).sealed == nil)
        }
    }

    @Test func aResponseWithoutAnIssuerIsAccepted() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            // when: an authorization server that does not send RFC 9207's iss
            let result = try await h.consent(partnerID: id, tamperCallback: {
                $0.replacingOccurrences(of: #"&?iss=[^&]*"#, with: "", options: .regularExpression)
            })
            // then
            #expect(result.status == .ok)
        }
    }

    @Test func graphUnavailableDuringTheCallbackStoresNothing() async throws {
        try await IdentityHarness.run(application: Self.graphOnly) { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id, beforeCallback: {
                h.simulator.state.updateFaults { $0.failures[.graph] = FailureFault(fraction: 1.0, status: 503) }
            })
            // then
            #expect(result.status == .serviceUnavailable)
            #expect(result.body.contains("role_check_failed"))
            #expect(try await h.partnerRow(id).sealed == nil)
        }
    }
}
