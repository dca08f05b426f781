import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Logging
import MicrosoftCloud
import Orchestrator
import PartnerCenterSimulator
import Testing

/// `CPV_TOKEN_STORE=keyvault`: refresh tokens as secrets in the simulator's Key Vault, with
/// PostgreSQL keeping only the version guard.
@Suite struct KeyVaultTokenStoreTests {
    func run(_ body: @Sendable (IdentityHarness) async throws -> Void) async throws {
        try await IdentityHarness.run(environment: IdentityHarness.keyVaultStore, body)
    }

    func consentedPartner(_ h: IdentityHarness) async throws -> Partner {
        let id = try await h.registerPartner(0)
        let result = try await h.consent(partnerID: id)
        #expect(result.status == .ok)
        return try #require(try await h.services.partners.partner(id: id, logger: h.logger))
    }

    /// Reads the partner's secret through the simulator's Key Vault, as the application.
    func secret(_ h: IdentityHarness, _ partnerID: UUID) async throws -> KeyVaultSecret? {
        let vault = try #require(h.services.keyVault)
        return try await vault.getSecret(name: KeyVaultRefreshTokenStore.secretName(partnerID: partnerID), logger: h.logger)
    }

    @Test func onboardingStoresTheRefreshTokenInTheVaultAndNotInTheDatabase() async throws {
        try await run { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id)
            // then
            #expect(result.status == .ok)
            let stored = try #require(try await secret(h, id))
            #expect(stored.value.revealed.count > 20)
            #expect(!result.body.contains(stored.value.revealed))
            let row = try await h.partnerRow(id)
            #expect(row.status == "active")
            #expect(row.sealed == nil)
            #expect(try await h.tokenColumns(id).keyID == "keyvault")
            #expect(try await h.auditActions(partnerID: id) == ["partner.registered", "partner.invitation.issued", "partner.invitation.issued", "partner.consented"])
            let puts = h.simulator.state.calls().filter { $0.group == .keyVault && $0.method == "PUT" }
            #expect(puts.map(\.path) == ["/secrets/cpv-partner-\(id.uuidString.lowercased())"])
        }
    }

    @Test func eachRedemptionWritesANewVersionOfTheSecret() async throws {
        try await run { h in
            // given
            let partner = try await consentedPartner(h)
            let before = try #require(try await secret(h, partner.id))
            let rowBefore = try await h.partnerRow(partner.id)
            // when
            _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger)
            // then
            let after = try #require(try await secret(h, partner.id))
            #expect(after.version != before.version)
            #expect(after.value != before.value)
            let rowAfter = try await h.partnerRow(partner.id)
            #expect(rowAfter.version == rowBefore.version + 1)
            #expect(rowAfter.sealed == nil)
        }
    }

    @Test func theVaultTokenIsFetchedOnceAndReused() async throws {
        try await run { h in
            // given: a consent (one vault write) and a redemption (a read and a write)
            let partner = try await consentedPartner(h)
            _ = try await h.services.tokenProvider.accessToken(
                for: partner, tenant: partner.tenantID.description, scope: "https://api.partnercenter.microsoft.com/.default",
                forceRedeem: true, logger: h.logger)
            // when
            let vaultTokenRequests = h.simulator.state.calls().filter { $0.path == "/\(IdentityHarness.homeTenantID)/oauth2/v2.0/token" }
            let vaultCalls = h.simulator.state.calls().filter { $0.group == .keyVault }
            // then
            #expect(vaultCalls.count == 3)
            #expect(vaultTokenRequests.count == 1)
        }
    }

    @Test func aDeadTokenStillFlipsThePartner() async throws {
        try await run { h in
            // given
            let partner = try await consentedPartner(h)
            h.simulator.state.updateFaults { $0.deadRefreshTokens[h.world.partners[0].tenantId] = 700082 }
            let keeper = TokenKeeper(repository: h.services.partners, provider: h.services.tokenProvider, redeemAfter: 7 * 86_400, logger: h.logger)
            // when: one keeper cycle, eight days later
            let report = try await keeper.keepOnce(now: Date().addingTimeInterval(8 * 86_400))
            // then
            #expect(report.checked == 1)
            #expect(report.failed == 1)
            let row = try await h.partnerRow(partner.id)
            #expect(row.status == "needs_reconsent")
            #expect(try await h.auditActions(partnerID: partner.id).last == "partner.needs_reconsent")
        }
    }

    @Test func aVaultOutageIsATransientErrorThatLeavesThePartnerActive() async throws {
        try await run { h in
            // given
            let partner = try await consentedPartner(h)
            h.simulator.state.updateFaults { $0.failures[.keyVault] = FailureFault(fraction: 1.0, status: 503) }
            // when
            let error = await #expect(throws: PartnerTokenError.self) {
                _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger)
            }
            // then
            #expect(error?.reason == .transient)
            #expect(error?.code == "keyvault_unavailable")
            #expect(try await h.partnerRow(partner.id).status == "active")
            let current = try #require(try await h.services.partners.partner(id: partner.id, logger: h.logger))
            #expect(current.lastTokenErrorCode == "keyvault_unavailable")
        }
    }

    @Test func aVaultOutageDuringConsentLeavesThePartnerPendingWithAClearPage() async throws {
        try await run { h in
            // given
            let id = try await h.registerPartner(0)
            // when
            let result = try await h.consent(partnerID: id, beforeCallback: {
                h.simulator.state.updateFaults { $0.failures[.keyVault] = FailureFault(fraction: 1.0, status: 503) }
            })
            // then
            #expect(result.status == .serviceUnavailable)
            #expect(result.body.contains("token_store_failed"))
            #expect(try await h.partnerRow(id).status == "pending_consent")
            #expect(try await h.auditActions(partnerID: id).last == "partner.consent.refused")
        }
    }

    @Test func aPartnerSealedBeforeTheSwitchMovesToTheVaultOnItsFirstRotation() async throws {
        try await run { h in
            // given: a partner whose token was sealed in the database (consented before the switch)
            let partner = try await consentedPartner(h)
            let current = try #require(try await secret(h, partner.id))
            let version = try await h.partnerRow(partner.id).version
            let sealed = try h.services.sealer.seal(current.value, partnerID: partner.id)
            try await h.database.query(
                "UPDATE partners SET refresh_token_sealed = \(Data(sealed.combined)), key_id = \(sealed.keyID) WHERE id = \(partner.id)",
                logger: h.logger)
            _ = try await h.services.keyVault?.deleteSecret(name: KeyVaultRefreshTokenStore.secretName(partnerID: partner.id), logger: h.logger)
            // when
            _ = try await h.services.tokenProvider.partnerCenterToken(for: partner, logger: h.logger)
            // then
            #expect(try await secret(h, partner.id) != nil)
            let columns = try await h.tokenColumns(partner.id)
            #expect(columns.keyID == "keyvault")
            #expect(!columns.hasSealed)
            #expect(try await h.partnerRow(partner.id).version == version + 1)
        }
    }
}
