import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import PartnerCenterSimulator
import Testing

/// The consent redirect chain, driven by HTTP like a browser, against the simulator.
@Suite struct PartnerOnboardingTests {
    @Test func anAdminConsentsThroughTheRedirectChainAndTheTokenIsStoredSealed() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id)
            // then
            #expect(result.status == .ok)
            #expect(result.body.contains("Consent recorded"))
            let row = try await h.partnerRow(id)
            #expect(row.status == "active")
            let sealed = try #require(row.sealed)
            let stored = try #require(try await h.services.partners.sealedToken(partnerID: id, logger: h.logger))
            let refreshToken = try h.services.sealer.open(stored.sealed, partnerID: id).revealed
            #expect(refreshToken.count > 20)
            #expect(sealed.range(of: Data(refreshToken.utf8)) == nil, "the refresh token is stored in clear")
            #expect(!result.body.contains(refreshToken))
            let partner = try #require(try await h.services.partners.partner(id: id, logger: h.logger))
            #expect(partner.consentedBy == h.world.partners[0].adminUsers[0].userPrincipalName)
            #expect(try await h.auditActions(partnerID: id) == ["partner.registered", "partner.invitation.issued", "partner.invitation.issued", "partner.consented"])
            let audit = try await h.database.query("SELECT count(*) FROM audit_events WHERE details::text LIKE \("%" + refreshToken.prefix(16) + "%")", logger: h.logger)
            for try await count in audit.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func theAuthorizeRedirectCarriesPKCEStateConsentPromptAndOfflineAccess() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            let link = try await h.invite(id)
            let location = try await h.client.execute(uri: link, method: .get) { $0.headers[.location] ?? "" }
            let components = try #require(URLComponents(string: location))
            let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(components.path == "/\(h.world.partners[0].tenantId)/oauth2/v2.0/authorize")
            #expect(query["code_challenge_method"] == "S256")
            #expect((query["code_challenge"] ?? "").count == 43)
            #expect(query["prompt"] == "consent")
            #expect(query["redirect_uri"] == IdentityHarness.publicURL + "/consent/callback")
            #expect(query["scope"]?.contains("https://api.partnercenter.microsoft.com/user_impersonation") == true)
            #expect(query["scope"]?.contains("offline_access") == true)
            #expect((query["state"] ?? "").count >= 43)
        }
    }

    @Test func aReplayedStateIsRefused() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            let first = try await h.consent(partnerID: id)
            #expect(first.status == .ok)
            let replay = try await h.callback(first.callback)
            #expect(replay.status == .badRequest)
            #expect(replay.body.contains("invalid_state"))
        }
    }

    @Test func aForgedStateIsRefusedAndNothingIsStored() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            let result = try await h.consent(partnerID: id, tamperState: { _ in "forged-state-value" })
            #expect(result.status == .badRequest)
            #expect(try await h.partnerRow(id).status == "pending_consent")
        }
    }

    @Test func aCodeFromAnotherTenantIsRefusedAuditedAndNothingStored() async throws {
        try await IdentityHarness.run { h in
            // given: partner 1's consent link, but the admin of partner 2 signs in at their own tenant
            let id = try await h.registerPartner(0)
            let stranger = h.world.partners[1]
            // when
            let result = try await h.consent(
                partnerID: id, loginHint: stranger.adminUsers[0].userPrincipalName, authorizeTenant: stranger.tenantId)
            // then: the authorization response names the stranger's tenant as its issuer (RFC 9207);
            // without it, Entra would refuse to redeem the code at the partner's tenant (AADSTS50020),
            // and had it answered, the id_token's tid check would refuse it (tenant_mismatch)
            #expect(result.status == .badRequest)
            #expect(result.body.contains("issuer_mismatch"))
            let row = try await h.partnerRow(id)
            #expect(row.status == "pending_consent")
            #expect(row.sealed == nil)
            #expect(try await h.auditActions(partnerID: id) == ["partner.registered", "partner.invitation.issued", "partner.invitation.issued", "partner.consent.refused"])
        }
    }

    @Test func aCodeFromAnotherTenantWithoutAnIssuerIsStillRefused() async throws {
        try await IdentityHarness.run { h in
            // given
            let id = try await h.registerPartner(0)
            let stranger = h.world.partners[1]
            // when: the same, with the `iss` parameter stripped from the redirect
            let result = try await h.consent(
                partnerID: id, loginHint: stranger.adminUsers[0].userPrincipalName, authorizeTenant: stranger.tenantId,
                tamperCallback: { $0.replacingOccurrences(of: #"&iss=[^&]*"#, with: "", options: .regularExpression) })
            // then
            #expect(result.status == .badRequest || result.status == .forbidden)
            #expect(result.body.contains("code_redemption_failed") || result.body.contains("tenant_mismatch"))
            #expect(try await h.partnerRow(id).sealed == nil)
        }
    }

    @Test func aSignInWithoutMFAIsRefused() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            let noMFA = h.world.partners[0].adminUsers[1].userPrincipalName
            let result = try await h.consent(partnerID: id, loginHint: noMFA)
            #expect(result.status == .forbidden)
            #expect(result.body.contains("mfa_missing"))
            #expect(try await h.partnerRow(id).sealed == nil)
        }
    }

    @Test func anEntraErrorRedirectShowsAClearPageAndLeavesThePartnerAsItWas() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            h.simulator.state.updateFaults { $0.authorizeError = AuthorizeErrorFault(error: "access_denied", errorDescription: "The user declined.") }
            let result = try await h.consent(partnerID: id)
            #expect(result.status == .forbidden)
            #expect(result.body.contains("access_denied"))
            #expect(try await h.partnerRow(id).status == "pending_consent")
            #expect(try await h.auditActions(partnerID: id).last == "partner.consent.refused")
        }
    }

    @Test func entraDownDuringTheCodeRedemptionIsAClearFailure() async throws {
        try await IdentityHarness.run { h in
            let id = try await h.registerPartner(0)
            let result = try await h.consent(partnerID: id, beforeCallback: {
                h.simulator.state.updateFaults { $0.failures[.entra] = FailureFault(fraction: 1.0, status: 503) }
            })
            #expect(result.status == .badRequest)
            #expect(result.body.contains("code_redemption_failed"))
            #expect(try await h.partnerRow(id).status == "pending_consent")
        }
    }

    @Test func aReconsentAfterADeadTokenMakesThePartnerActiveAgain() async throws {
        try await IdentityHarness.run { h in
            // given: an active partner whose token has died
            let id = try await h.registerPartner(0)
            _ = try await h.consent(partnerID: id)
            try await h.services.partners.recordTokenFailure(
                partnerID: id, reason: .partnerMustReconsent, code: "AADSTS700082", message: "expired", actor: "test", logger: h.logger)
            #expect(try await h.partnerRow(id).status == "needs_reconsent")
            // when
            let result = try await h.consent(partnerID: id)
            // then
            #expect(result.status == .ok)
            let row = try await h.partnerRow(id)
            #expect(row.status == "active")
            #expect(row.reason == nil)
        }
    }
}
