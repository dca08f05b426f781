import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Testing

/// Consent links are one-time invitations issued by staff (issue #14, items 1, 2 and 4).
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct ConsentInvitationTests {
    func status(_ h: IdentityHarness, _ id: UUID) async throws -> String {
        try await h.partnerRow(id).status
    }

    @Test func thePermanentStartLinkIsGone() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let (status, _) = try await h.callback("/consent/\(id.uuidString.lowercased())/start")
            // then
            #expect(status == .notFound)
        }
    }

    @Test func anInvitationWorksOnce() async throws {
        try await IdentityHarness.run { h in
            // given: a consent recorded through an invitation
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            #expect(try await h.consent(partnerID: id, invitation: link).status == .ok)
            // when
            let (status, body) = try await h.callback(link)
            // then
            #expect(status == .notFound)
            #expect(body.contains("invalid_invitation"))
        }
    }

    @Test func anExpiredInvitationIsRefused() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            try await h.database.query(
                "UPDATE consent_invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'", logger: h.logger)
            // when
            let (status, body) = try await h.callback(link)
            // then
            #expect(status == .notFound)
            #expect(body.contains("invalid_invitation"))
        }
    }

    @Test func aRevokedInvitationStopsWorkingAndEndsItsSignInsInFlight() async throws {
        try await IdentityHarness.run { h in
            // given: a sign-in started from an invitation, then the invitation revoked
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            let callback = try await h.signIn(link: link)
            let invitation = try #require(try await Self.invitations(h, id).first { $0["state"] as? String == "open" })
            let (revoked, _) = try await h.api(.post, "/api/v1/partners/\(id)/invitations/\(invitation["id"] ?? 0)/revoke")
            // when
            let (finished, _) = try await h.callback(callback)
            let (restarted, _) = try await h.callback(link)
            // then
            #expect(revoked == .ok)
            #expect(finished == .badRequest)
            #expect(restarted == .notFound)
            #expect(try await status(h, id) == "pending_consent")
        }
    }

    @Test func invitationsAreListedWithoutTheirLinksAndStoredOnlyAsAHash() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            let secret = String(link.split(separator: "=").last ?? "")
            // when
            let (_, listed) = try await h.api(.get, "/api/v1/partners/\(id)/invitations")
            // then
            #expect(!listed.contains("cpvi_"))
            #expect(try await Self.invitations(h, id).count == 2)
            var clear = 0
            for try await count in try await h.database.query(
                "SELECT count(*) FROM consent_invitations WHERE position(\(Data(secret.utf8)) in secret_hash) > 0", logger: h.logger
            ).decode(Int.self) { clear = count }
            #expect(clear == 0)
        }
    }

    @Test func anOnboardingInvitationCannotBeIssuedForAPartnerWithAToken() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            _ = try await h.consent(partnerID: id)
            // when
            let (status, body) = try await h.api(.post, "/api/v1/partners/\(id)/invitations", json: #"{"purpose":"onboarding"}"#)
            // then
            #expect(status == .conflict)
            #expect(body.contains("purpose_does_not_fit"))
        }
    }

    @Test func aCallbackNeverReplacesAWorkingTokenThroughAnOnboardingLink() async throws {
        try await IdentityHarness.run { h in
            // given: two onboarding links; a sign-in from the first in flight while the second completes
            let id = try await h.registerPartner(0)
            let first = try await h.invite(id)
            let inFlight = try await h.signIn(link: first)
            #expect(try await h.consent(partnerID: id).status == .ok)
            let consented = try await h.partnerRow(id)
            // when
            let (status, body) = try await h.callback(inFlight)
            // then
            #expect(status == .forbidden)
            #expect(body.contains("already_consented"))
            let after = try await h.partnerRow(id)
            #expect(after.version == consented.version)
            #expect(after.sealed == consented.sealed)
        }
    }

    @Test func aReconsentInvitationReplacesTheToken() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            _ = try await h.consent(partnerID: id)
            let before = try await h.partnerRow(id)
            // when
            let result = try await h.consent(partnerID: id, invitation: try await h.invite(id, purpose: "reconsent"))
            // then
            #expect(result.status == .ok)
            #expect(try await h.partnerRow(id).version == before.version + 1)
            let details = try await h.database.query(
                "SELECT details->>'purpose' FROM audit_events WHERE action = 'partner.consented' ORDER BY seq DESC LIMIT 1", logger: h.logger)
            for try await purpose in details.decode(String.self) { #expect(purpose == "reconsent") }
        }
    }

    @Test func disablingRevokesOpenInvitationsAndNoConsentReactivatesThePartner() async throws {
        try await IdentityHarness.run { h in
            // given: an open invitation and a sign-in from it in flight
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            let inFlight = try await h.signIn(link: link)
            // when
            let (disabled, _) = try await h.api(.post, "/api/v1/partners/\(id)/disable", json: #"{"reason":"offboarded"}"#)
            let (finished, _) = try await h.callback(inFlight)
            let (restarted, _) = try await h.callback(link)
            let (issued, body) = try await h.api(.post, "/api/v1/partners/\(id)/invitations", json: #"{"purpose":"reconsent"}"#)
            // then
            #expect(disabled == .ok)
            #expect(finished == .badRequest)
            #expect(restarted == .notFound)
            #expect(issued == .conflict)
            #expect(body.contains("partner_disabled"))
            #expect(try await Self.invitations(h, id).allSatisfy { $0["state"] as? String == "revoked" })
            #expect(try await status(h, id) == "disabled")
        }
    }

    @Test func aConsentCompletingAfterTheDisableRecordsNothing() async throws {
        try await IdentityHarness.run { h in
            // given: the store is asked to record a consent for a partner disabled meanwhile
            let id = try await h.registerPartner(0)
            let (invitation, _) = try await ConsentInvitationRepository(partners: h.services.partners).issue(
                partnerID: id, purpose: .onboarding, lifetime: 3_600, actor: "staff:test#1", logger: h.logger)
            _ = try await h.services.partners.disable(partnerID: id, reason: nil, actor: "staff:test#1", logger: h.logger)
            let sealed = try h.services.sealer.seal(Secret("a-refresh-token"), partnerID: id)
            // when / then
            await #expect(throws: ConsentCompletionError.partnerDisabled) {
                try await h.services.partners.completeConsent(
                    partnerID: id, invitationID: invitation.id, sealed: sealed, consentedBy: "admin", actor: "partner-admin:admin", details: [:],
                    logger: h.logger)
            }
            #expect(try await status(h, id) == "disabled")
            #expect(try await h.partnerRow(id).sealed == nil)
        }
    }

    static func invitations(_ h: IdentityHarness, _ id: UUID) async throws -> [[String: Any]] {
        let (_, body) = try await h.api(.get, "/api/v1/partners/\(id)/invitations")
        return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }
}
