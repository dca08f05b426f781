import AsyncHTTPClient
import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud
import PartnerCenterSimulator
import Testing

/// The Key Vault client against the simulator's vault, with its app-only token from the
/// simulator's Entra ID.
@Suite struct KeyVaultClientTests {
    static let appID = "6a1c9d2f-3e4b-4c5d-9e0f-1a2b3c4d5e6f"
    static let homeTenant = "1f0e9d8c-7b6a-4d5c-8e3f-2a1b0c9d8e7f"
    let logger = Logger(label: "cpv.test.keyvault")

    func withVault(
        tenant: String = KeyVaultClientTests.homeTenant, timeout: Duration = .seconds(10),
        _ body: (KeyVaultClient, RunningSimulator) async throws -> Void
    ) async throws {
        let application = SimulatedApplication(
            appId: Self.appID, displayName: "CPV", homeTenantId: Self.homeTenant, clientSecrets: [.init(value: "vault-secret")],
            redirectURIs: ["http://cpv.test/consent/callback"])
        let world = SimulatorWorld.generated(seed: 5, partners: 1, customersPerPartner: 1, application: application)
        try await PartnerCenterSimulator.withRunning(world: world, logger: logger) { simulator in
            let entra = EntraTokenClient(http: .shared, clientID: Self.appID, credential: .secret(Secret("vault-secret"), style: .formBody))
            let vault = KeyVaultClient(
                http: .shared, entra: entra, vaultURL: simulator.baseURL + "/", tenantID: try #require(TenantID(tenant)),
                overrides: .init(login: simulator.baseURL), timeout: timeout)
            try await body(vault, simulator)
        }
    }

    @Test func aSecretIsWrittenReadAsItsLatestVersionAndDeleted() async throws {
        try await withVault { vault, _ in
            // given
            let first = try await vault.setSecret(name: "cpv-partner-a", value: Secret("one"), logger: logger)
            let second = try await vault.setSecret(name: "cpv-partner-a", value: Secret("two"), logger: logger)
            // when
            let latest = try await vault.getSecret(name: "cpv-partner-a", logger: logger)
            let deleted = try await vault.deleteSecret(name: "cpv-partner-a", logger: logger)
            // then
            #expect(first != second)
            #expect(latest?.value.revealed == "two")
            #expect(latest?.version == second)
            #expect(deleted)
            #expect(try await vault.getSecret(name: "cpv-partner-a", logger: logger) == nil)
            #expect(try await vault.deleteSecret(name: "cpv-partner-a", logger: logger) == false)
        }
    }

    @Test func theVaultTokenComesFromTheHomeTenantWithTheVaultScopeAndIsReused() async throws {
        try await withVault { vault, simulator in
            // given
            try await vault.setSecret(name: "s", value: Secret("v"), logger: logger)
            // when
            _ = try await vault.getSecret(name: "s", logger: logger)
            // then
            let tokenCalls = simulator.state.calls().filter { $0.path.hasSuffix("/oauth2/v2.0/token") }
            #expect(tokenCalls.map(\.path) == ["/\(Self.homeTenant)/oauth2/v2.0/token"])
        }
    }

    @Test func anUnknownTenantIsAConfigurationErrorNotAnOutage() async throws {
        try await withVault(tenant: "00000000-1111-4222-8333-444444444444") { vault, _ in
            await #expect {
                _ = try await vault.getSecret(name: "s", logger: logger)
            } throws: { error in
                guard case .noVaultToken(transient: false, _)? = error as? KeyVaultError else { return false }
                return true
            }
        }
    }

    @Test func aVaultOutageIsTransient() async throws {
        try await withVault { vault, simulator in
            simulator.state.updateFaults { $0.failures[.keyVault] = FailureFault(fraction: 1.0, status: 503) }
            await #expect {
                try await vault.setSecret(name: "s", value: Secret("v"), logger: logger)
            } throws: { error in
                (error as? KeyVaultError).map { $0.isTransient && $0 == .unavailable("HTTP 503") } ?? false
            }
        }
    }

    @Test func aHangingVaultHitsTheDeadline() async throws {
        try await withVault(timeout: .seconds(1)) { vault, simulator in
            // given
            simulator.state.updateFaults { $0.hangs[.keyVault] = CountOrFraction(next: 1) }
            let started = ContinuousClock.now
            // when / then
            await #expect {
                _ = try await vault.getSecret(name: "s", logger: logger)
            } throws: { error in
                guard case .unavailable? = error as? KeyVaultError else { return false }
                return true
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test(arguments: ["", "has/slash", "has space", "dot.ted", String(repeating: "a", count: 128)])
    func aNameKeyVaultWouldRefuseIsRejectedWithoutACall(_ name: String) async throws {
        try await withVault { vault, simulator in
            await #expect(throws: KeyVaultError.unexpected(status: 0, code: "invalid_secret_name")) {
                _ = try await vault.getSecret(name: name, logger: logger)
            }
            #expect(simulator.state.calls().isEmpty)
        }
    }

    @Test func theValueNeverAppearsInAnError() async throws {
        try await withVault { vault, simulator in
            simulator.state.updateFaults { $0.failures[.keyVault] = FailureFault(fraction: 1.0, status: 500) }
            do {
                try await vault.setSecret(name: "s", value: Secret("very-secret-refresh-token"), logger: logger)
                Issue.record("expected a failure")
            } catch {
                #expect(!String(describing: error).contains("very-secret"))
                #expect(!String(reflecting: error).contains("very-secret"))
            }
        }
    }
}
