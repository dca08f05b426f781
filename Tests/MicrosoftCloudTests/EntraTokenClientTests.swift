import AsyncHTTPClient
import ConsentDomain
import Crypto
import Foundation
import Logging
import MicrosoftCloud
import PartnerCenterSimulator
import Testing
import X509
import _CryptoExtras

/// The token client against the simulator's Entra ID (partner-center-api.md §1).
@Suite struct EntraTokenClientTests {
    static let appID = "5f0b8c1e-2d3a-4b5c-8d9e-0a1b2c3d4e5f"
    static let homeTenant = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"
    let logger = Logger(label: "cpv.test.entra")

    struct Fixture {
        let simulator: RunningSimulator
        let profile: CloudProfile
        let partner: SimulatedPartner
        let certificatePEM: String
        let keyPEM: String

        func client(_ credential: ClientCredential, timeout: Duration = .seconds(10)) -> EntraTokenClient {
            EntraTokenClient(http: .shared, clientID: EntraTokenClientTests.appID, credential: credential, timeout: timeout)
        }

        /// A refresh token for the partner's first admin, as a consent would have left it.
        func refreshToken() async throws -> Secret<String> {
            let token = await simulator.state.issueRefreshToken(clientId: EntraTokenClientTests.appID, userPrincipalName: partner.adminUsers[0].userPrincipalName)
            return Secret(try #require(token))
        }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("cpv-test-app") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption, extensions: .init(), issuerPrivateKey: .init(key))
        let certificatePEM = try certificate.serializeAsPEM().pemString
        let application = SimulatedApplication(
            appId: Self.appID, displayName: "CPV", homeTenantId: Self.homeTenant, clientSecrets: [.init(value: "right-secret")],
            certificatePEMs: [certificatePEM], redirectURIs: ["http://cpv.test/consent/callback"])
        let world = SimulatorWorld.generated(seed: 3, partners: 1, customersPerPartner: 7, application: application)
        try await PartnerCenterSimulator.withRunning(world: world, logger: logger) { simulator in
            let profile = CloudProfile.resolve(.global, overrides: .init(login: simulator.baseURL, partnerCenter: simulator.baseURL))
            try await body(Fixture(simulator: simulator, profile: profile, partner: world.partners[0], certificatePEM: certificatePEM, keyPEM: key.pemRepresentation))
        }
    }

    @Test func aRefreshTokenIsRedeemedWithASecretInTheFormAndRotates() async throws {
        try await withFixture { f in
            let refreshToken = try await f.refreshToken()
            let response = try await f.client(.secret(Secret("right-secret"), style: .formBody)).token(
                profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(refreshToken),
                scope: f.profile.partnerCenterScope, logger: logger)
            #expect(response.expiresIn > 0)
            #expect(response.refreshToken != nil)
            #expect(response.refreshToken?.revealed != refreshToken.revealed)
        }
    }

    @Test func aSecretCanTravelAsHTTPBasic() async throws {
        try await withFixture { f in
            let response = try await f.client(.secret(Secret("right-secret"), style: .basicAuthorization)).token(
                profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(try await f.refreshToken()),
                scope: f.profile.partnerCenterScope, logger: logger)
            #expect(response.accessToken.revealed.split(separator: ".").count == 3)
        }
    }

    @Test(arguments: [ClientCertificate.Algorithm.ps256, .rs256])
    func aCertificateClientAssertionIsAccepted(_ algorithm: ClientCertificate.Algorithm) async throws {
        try await withFixture { f in
            let certificate = try ClientCertificate(certificatePEM: f.certificatePEM, privateKeyPEM: f.keyPEM, algorithm: algorithm)
            let client = f.client(.certificate(certificate))
            let appOnly = try await client.token(
                profile: f.profile, tenant: Self.homeTenant, grant: .clientCredentials, scope: "https://vault.azure.net/.default", logger: logger)
            #expect(appOnly.refreshToken == nil)
            let delegated = try await client.token(
                profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(try await f.refreshToken()),
                scope: f.profile.partnerCenterScope, logger: logger)
            #expect(delegated.refreshToken != nil)
        }
    }

    @Test func theV1EndpointAnswersStringNumericsAndTheResource() async throws {
        try await withFixture { f in
            let response = try await f.client(.secret(Secret("right-secret"), style: .formBody)).token(
                profile: f.profile, tenant: f.partner.tenantId, version: .v1, grant: .refreshToken(try await f.refreshToken()),
                scope: "https://api.partnercenter.microsoft.com", logger: logger)
            #expect(response.expiresIn > 3000)
            #expect(response.resource == "https://api.partnercenter.microsoft.com")
        }
    }

    @Test func aWrongSecretIsInvalidClientWithTraceIDsAndMapsToAppMisconfigured() async throws {
        try await withFixture { f in
            await #expect {
                _ = try await f.client(.secret(Secret("wrong-secret"), style: .formBody)).token(
                    profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(try await f.refreshToken()),
                    scope: f.profile.partnerCenterScope, logger: logger)
            } throws: { error in
                guard case .rejected(let entra)? = error as? EntraClientError else { return false }
                return entra.httpStatus == 401 && entra.error == "invalid_client" && entra.errorCodes == [7000215]
                    && entra.traceID != nil && entra.correlationID != nil && entra.reason == .appMisconfigured
                    && !entra.description.contains("wrong-secret")
            }
        }
    }

    @Test(arguments: [(700082, TokenFailureReason.partnerMustReconsent), (70008, .partnerMustReconsent), (50173, .partnerMustReconsent), (50076, .mfaRequired), (53003, .conditionalAccessBlocked)])
    func aDeadRefreshTokenMapsToItsOutcome(_ code: Int, _ reason: TokenFailureReason) async throws {
        try await withFixture { f in
            f.simulator.state.updateFaults { $0.deadRefreshTokens[f.partner.tenantId] = code }
            await #expect {
                _ = try await f.client(.secret(Secret("right-secret"), style: .formBody)).token(
                    profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(try await f.refreshToken()),
                    scope: f.profile.partnerCenterScope, logger: logger)
            } throws: { error in
                guard case .rejected(let entra)? = error as? EntraClientError else { return false }
                return entra.errorCodes.contains(code) && entra.reason == reason
            }
        }
    }

    @Test func aCustomerTenantWithoutConsentIs65001ConsentMissing() async throws {
        try await withFixture { f in
            await #expect {
                _ = try await f.client(.secret(Secret("right-secret"), style: .formBody)).token(
                    profile: f.profile, tenant: f.partner.customers[0].tenantId, grant: .refreshToken(try await f.refreshToken()),
                    scope: "https://graph.microsoft.com/.default", logger: logger)
            } throws: { error in
                (error as? EntraClientError)?.reason == .consentMissing
            }
        }
    }

    @Test func aHangingEndpointHitsTheDeadlineAndIsTransient() async throws {
        try await withFixture { f in
            f.simulator.state.updateFaults { $0.hangs[.entra] = CountOrFraction(next: 1) }
            let started = ContinuousClock.now
            await #expect {
                _ = try await f.client(.secret(Secret("right-secret"), style: .formBody), timeout: .seconds(1)).token(
                    profile: f.profile, tenant: f.partner.tenantId, grant: .refreshToken(try await f.refreshToken()),
                    scope: f.profile.partnerCenterScope, logger: logger)
            } throws: { error in
                guard case .unavailable? = error as? EntraClientError else { return false }
                return (error as? EntraClientError)?.reason == .transient
            }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func aClosedPortIsUnavailable() async throws {
        let profile = CloudProfile.resolve(.global, overrides: .init(login: "http://127.0.0.1:1"))
        let client = EntraTokenClient(http: .shared, clientID: Self.appID, credential: .secret(Secret("x"), style: .formBody), timeout: .seconds(5))
        await #expect {
            _ = try await client.token(profile: profile, tenant: Self.homeTenant, grant: .clientCredentials, scope: "https://graph.microsoft.com/.default", logger: logger)
        } throws: { error in
            guard case .unavailable? = error as? EntraClientError else { return false }
            return true
        }
    }
}
