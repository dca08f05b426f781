import AdminServer
import CPVTestSupport
import ConsentStore
import Foundation
import Hummingbird
import Logging
import PartnerCenterSimulator
import Testing

/// What anyone can reach without a staff credential (issue #14, items 5 and 15): rate-limited per
/// address, writing nothing permanent for strangers, and never logging its secrets.
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct PublicConsentEndpointTests {
    @Test func theConsentEndpointsAreRateLimitedPerAddress() async throws {
        try await IdentityHarness.run(environment: { _ in ["CPV_CONSENT_REQUESTS_PER_MINUTE": "3"] }) { h in
            // given: three requests used up
            for _ in 0..<3 { _ = try await h.callback("/consent/start?invitation=cpvi_guess") }
            // when
            let limited = try await h.client.execute(uri: "/consent/callback?state=x", method: .get) { $0 }
            // then
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func anEntraErrorIsCutToSizeBeforeItIsAudited() async throws {
        try await IdentityHarness.run { h in
            // given: Entra's error for a partner awaiting consent, with odd code and long, noisy text
            let id = try await h.registerPartner(0)
            let description = "line\u{01}break\r\n" + String(repeating: "x", count: 5_000)
            h.simulator.state.updateFaults { $0.authorizeError = AuthorizeErrorFault(error: "Access<Denied>", errorDescription: description) }
            // when
            let result = try await h.consent(partnerID: id)
            // then
            #expect(result.status == .forbidden)
            let rows = try await h.database.query(
                """
                SELECT details->>'entraError', details->>'entraErrorDescription' FROM audit_events
                WHERE action = 'partner.consent.refused' AND partner_id = \(id)
                """, logger: h.logger)
            var audited: [(String?, String?)] = []
            for try await row in rows.decode((String?, String?).self) { audited.append(row) }
            #expect(audited.count == 1)
            #expect(audited.first?.0 == "invalid_error_parameter")
            #expect((audited.first?.1?.count ?? 0) <= 200)
            #expect(audited.first?.1?.contains("\u{01}") == false)
        }
    }

    @Test func anEntraErrorForAPartnerNotAwaitingConsentIsLoggedButNotAudited() async throws {
        try await IdentityHarness.run { h in
            // given: a sign-in from an onboarding link in flight while the partner consents through another
            let id = try await h.registerPartner(0)
            let inFlight = try await h.signIn(link: try await h.invite(id))
            #expect(try await h.consent(partnerID: id).status == .ok)
            let before = try await h.auditActions()
            // when: the stale sign-in comes back with an error text of the sender's choosing
            let state = try #require(inFlight.firstMatch(of: /state=([^&]+)/)).1
            let (status, _) = try await h.callback("/consent/callback?state=\(state)&error=access_denied&error_description=planted%20text")
            // then
            #expect(status == .forbidden)
            #expect(try await h.auditActions() == before)
        }
    }

    @Test func expiredSignInsArePurged() async throws {
        try await IdentityHarness.run { h in
            // given: a sign-in started, then abandoned long enough ago
            let id = try await h.registerPartner(0)
            _ = try await h.signIn(link: try await h.invite(id))
            try await h.database.query(
                "UPDATE consent_requests SET created_at = now() - interval '3 hours', expires_at = now() - interval '2 hours'", logger: h.logger)
            // when
            let purged = try await h.services.invitations.purgeExpiredSignIns(logger: h.logger)
            // then
            #expect(purged == 1)
            for try await count in try await h.database.query("SELECT count(*) FROM consent_requests", logger: h.logger).decode(Int.self) {
                #expect(count == 0)
            }
        }
    }

    @Test func theInvitationTheCodeAndTheStateAreNeverLogged() async throws {
        let capture = LogCapture()
        try await IdentityHarness.run(logger: capture.logger()) { h in
            // given
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            // when
            let result = try await h.consent(partnerID: id, invitation: link)
            // then
            #expect(result.status == .ok)
            let secrets = [
                String(try #require(link.firstMatch(of: /invitation=([^&]+)/)).1),
                String(try #require(result.callback.firstMatch(of: /code=([^&]+)/)).1),
                String(try #require(result.callback.firstMatch(of: /state=([^&]+)/)).1),
            ]
            #expect(capture.text.contains("/consent/callback"), "the request log is captured")
            for secret in secrets { #expect(!capture.text.contains(secret)) }
        }
    }
}
