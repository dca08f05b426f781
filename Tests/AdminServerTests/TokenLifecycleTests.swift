import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Logging
import Orchestrator
import PartnerCenterSimulator
import Testing

/// Refresh tokens after the consent: rotation written back, one redemption at a time, dead
/// tokens found by the keeper, key rotation, and the live verification.
@Suite struct TokenLifecycleTests {
    func consentedPartner(_ h: IdentityHarness, index: Int = 0) async throws -> Partner {
        let id = try await h.registerPartner(index)
        let result = try await h.consent(partnerID: id)
        #expect(result.status == .ok)
        return try #require(try await h.services.partners.partner(id: id, logger: h.logger))
    }

    func tokenCalls(_ h: IdentityHarness) -> Int {
        h.simulator.state.calls().filter { $0.path.hasSuffix("/oauth2/v2.0/token") }.count
    }

    @Test func eachRedemptionWritesTheRotatedRefreshTokenBack() async throws {
        try await IdentityHarness.run { h in
            // given
            let partner = try await consentedPartner(h)
            let before = try await h.partnerRow(partner.id)
            // when
            _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger)
            // then
            let after = try await h.partnerRow(partner.id)
            #expect(after.version == before.version + 1)
            #expect(after.sealed != before.sealed)
            let current = try #require(try await h.services.partners.partner(id: partner.id, logger: h.logger))
            #expect(current.lastRedeemedAt != nil)
            #expect(current.tokenExpiresBy != nil)
        }
    }

    @Test func concurrentCallersRedeemTheRefreshTokenOnce() async throws {
        try await IdentityHarness.run { h in
            // given
            let partner = try await consentedPartner(h)
            let before = tokenCalls(h)
            // when: twenty callers want a Partner Center token at once
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger) }
                }
                try await group.waitForAll()
            }
            // then
            #expect(tokenCalls(h) - before == 1)
        }
    }

    @Test func anOlderTokenNeverOverwritesANewerOne() async throws {
        try await IdentityHarness.run { h in
            // given: a partner whose token was rotated by "another process" after we read it
            let partner = try await consentedPartner(h)
            let stored = try #require(try await h.services.partners.sealedToken(partnerID: partner.id, logger: h.logger))
            let newer = try h.services.sealer.seal(Secret("newer-token"), partnerID: partner.id)
            #expect(try await h.services.partners.storeRotatedToken(partnerID: partner.id, expectedVersion: stored.version, sealed: newer, logger: h.logger))
            // when: the slower writer tries to store its own rotation from the old version
            let older = try h.services.sealer.seal(Secret("older-token"), partnerID: partner.id)
            let written = try await h.services.partners.storeRotatedToken(
                partnerID: partner.id, expectedVersion: stored.version, sealed: older, logger: h.logger)
            // then
            #expect(!written)
            let current = try #require(try await h.services.partners.sealedToken(partnerID: partner.id, logger: h.logger))
            #expect(try h.services.sealer.open(current.sealed, partnerID: partner.id).revealed == "newer-token")
        }
    }

    @Test(arguments: [700082, 70008, 50173, 50076, 53003])
    func theKeeperFindsADeadTokenWithinOneCycle(_ aadsts: Int) async throws {
        try await IdentityHarness.run { h in
            // given: an active partner whose token Entra now refuses
            let partner = try await consentedPartner(h)
            h.simulator.state.updateFaults { $0.deadRefreshTokens[h.world.partners[0].tenantId] = aadsts }
            let keeper = TokenKeeper(repository: h.services.partners, provider: h.services.tokenProvider, redeemAfter: 7 * 86_400, logger: h.logger)
            // when: one keeper cycle, eight days later
            let report = try await keeper.keepOnce(now: Date().addingTimeInterval(8 * 86_400))
            // then
            #expect(report.checked == 1)
            #expect(report.failed == 1)
            let row = try await h.partnerRow(partner.id)
            #expect(row.status == "needs_reconsent")
            let expected = TokenFailureReason.classify(aadstsCodes: [aadsts], error: "invalid_grant")
            #expect(row.reason == expected.rawValue)
            let current = try #require(try await h.services.partners.partner(id: partner.id, logger: h.logger))
            #expect(current.lastTokenErrorCode == "AADSTS\(aadsts)")
            #expect(try await h.auditActions(partnerID: partner.id).last == "partner.needs_reconsent")
        }
    }

    @Test func theKeeperRedeemsOnlyPartnersDueAndKeepsThemAlive() async throws {
        try await IdentityHarness.run { h in
            let partner = try await consentedPartner(h)
            let keeper = TokenKeeper(repository: h.services.partners, provider: h.services.tokenProvider, redeemAfter: 7 * 86_400, logger: h.logger)
            let notDue = try await keeper.keepOnce(now: Date())
            #expect(notDue.checked == 0)
            let before = try await h.partnerRow(partner.id)
            let due = try await keeper.keepOnce(now: Date().addingTimeInterval(8 * 86_400))
            #expect(due.redeemed == 1)
            #expect(try await h.partnerRow(partner.id).version == before.version + 1)
            #expect(try await h.partnerRow(partner.id).status == "active")
        }
    }

    @Test func aTransientEntraOutageDoesNotFlipThePartner() async throws {
        try await IdentityHarness.run { h in
            let partner = try await consentedPartner(h)
            h.simulator.state.updateFaults { $0.failures[.entra] = FailureFault(fraction: 1.0, status: 503) }
            await #expect(throws: PartnerTokenError.self) {
                _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger)
            }
            let row = try await h.partnerRow(partner.id)
            #expect(row.status == "active")
        }
    }

    @Test func keyRotationReSealsEveryTokenUnderTheNewKey() async throws {
        try await IdentityHarness.run { h in
            // given: two consented partners sealed under the test key
            let first = try await consentedPartner(h, index: 0)
            let second = try await consentedPartner(h, index: 1)
            let newKey = SealingKeyRing.generateEntry(id: "k2")
            let ring = try SealingKeyRing(parsing: Secret(newKey.revealed + "," + TestEnvironment.sealingKeys))
            let sealer = TokenSealer(keys: ring)
            // when
            let report = try await KeyRotator(repository: h.services.partners, sealer: sealer).rotateAll(actor: "test", logger: h.logger)
            // then
            #expect(report.resealed == 2)
            #expect(report.unreadable.isEmpty)
            let onlyNewKey = TokenSealer(keys: try SealingKeyRing(parsing: newKey))
            for partner in [first, second] {
                let stored = try #require(try await h.services.partners.sealedToken(partnerID: partner.id, logger: h.logger))
                #expect(stored.sealed.keyID == "k2")
                #expect(try onlyNewKey.open(stored.sealed, partnerID: partner.id).revealed.count > 20)
            }
            let again = try await KeyRotator(repository: h.services.partners, sealer: sealer).rotateAll(actor: "test", logger: h.logger)
            #expect(again.resealed == 0)
        }
    }

    @Test func verifyReportsEachStepLive() async throws {
        try await IdentityHarness.run { h in
            let partner = try await consentedPartner(h)
            let (okStatus, okBody) = try await h.api(.get, "/api/v1/partners/\(partner.id.uuidString.lowercased())/verify")
            #expect(okStatus == .ok)
            #expect(okBody.contains(#""ok":true"#))
            #expect(okBody.contains("list_customers"))
            h.simulator.state.updateFaults { $0.deadRefreshTokens[h.world.partners[0].tenantId] = 700082 }
            let (_, deadBody) = try await h.api(.get, "/api/v1/partners/\(partner.id.uuidString.lowercased())/verify")
            #expect(deadBody.contains(#""ok":false"#))
            #expect(deadBody.contains("partner_must_reconsent"))
        }
    }
}
