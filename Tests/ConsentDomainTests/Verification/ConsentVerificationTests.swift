@testable import ConsentDomain
import Foundation
import Testing

/// Comparing what a tenant holds with the grant set, without I/O (issue #16).
@Suite struct ConsentVerificationTests {
    static let app = ApplicationID(UUID(uuid: (0x11, 0x11, 0x11, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01)))
    static let other = ApplicationID(UUID(uuid: (0x22, 0x22, 0x22, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02)))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let grantSet = GrantSet.seed(
        applicationID: app, displayName: "CPV", graphScopes: ["Directory.Read.All", "User.Read.All"], createdAt: now)

    @Test func exactlyTheGrantSetIsVerified() {
        let observed = ObservedConsent(servicePrincipalID: "sp", scopes: [
            .microsoftGraph: ["User.Read.All", "Directory.Read.All"], .azureResourceManager: ["user_impersonation"],
        ])
        let verification = ConsentVerification.compare(expected: Self.grantSet, observed: observed, at: Self.now)
        #expect(verification.state == .verified)
        #expect(verification.resources.isEmpty)
        #expect(verification.checkedAt == Self.now)
        #expect(!verification.state.needsGrant)
    }

    @Test func scopesCompareWithoutRegardToCase() {
        let observed = ObservedConsent(servicePrincipalID: "sp", scopes: [
            .microsoftGraph: ["directory.read.all", "USER.READ.ALL"], .azureResourceManager: ["User_Impersonation"],
        ])
        #expect(ConsentVerification.compare(expected: Self.grantSet, observed: observed, at: Self.now).state == .verified)
    }

    @Test func aMissingScopeAndAnExtraOneAreDriftPerResource() {
        let observed = ObservedConsent(servicePrincipalID: "sp", scopes: [
            .microsoftGraph: ["Directory.Read.All", "Mail.Send"], .azureResourceManager: ["user_impersonation"],
        ])
        let verification = ConsentVerification.compare(expected: Self.grantSet, observed: observed, at: Self.now)
        #expect(verification.state == .drifted)
        #expect(verification.state.needsGrant)
        #expect(verification.resources == [
            ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["User.Read.All"], extraScopes: ["Mail.Send"]),
        ])
        #expect(verification.summary == ["00000003-0000-0000-c000-000000000000: missing User.Read.All; extra Mail.Send"])
    }

    @Test func aResourceWithNoGrantAtAllMissesAllItsScopes() {
        let observed = ObservedConsent(servicePrincipalID: "sp", scopes: [.microsoftGraph: ["Directory.Read.All", "User.Read.All"]])
        let verification = ConsentVerification.compare(expected: Self.grantSet, observed: observed, at: Self.now)
        #expect(verification.state == .drifted)
        #expect(verification.resources == [
            ResourceDifference(applicationID: .azureResourceManager, missingScopes: ["user_impersonation"], extraScopes: []),
        ])
    }

    @Test func aResourceTheGrantSetDoesNotNameIsExtraInFull() {
        let observed = ObservedConsent(servicePrincipalID: "sp", scopes: [
            .microsoftGraph: ["Directory.Read.All", "User.Read.All"], .azureResourceManager: ["user_impersonation"],
            Self.other: ["Write", "Read", "read"],
        ])
        let verification = ConsentVerification.compare(expected: Self.grantSet, observed: observed, at: Self.now)
        #expect(verification.state == .drifted)
        #expect(verification.resources == [ResourceDifference(applicationID: Self.other, missingScopes: [], extraScopes: ["Read", "Write"])])
    }

    @Test func noServicePrincipalIsMissingNotDrifted() {
        let verification = ConsentVerification.compare(expected: Self.grantSet, observed: nil, at: Self.now)
        #expect(verification.state == .missing)
        #expect(verification.code == "no_service_principal")
        #expect(verification.state.needsGrant)
    }

    @Test func unknownIsNeverFineAndNeverGranted() {
        let verification = ConsentVerification.unknown(code: "graph_429", reason: "Graph answered 429", at: Self.now)
        #expect(verification.state == .unknown)
        #expect(!verification.state.needsGrant)
        #expect(verification.state != .verified)
    }

    @Test func aVerificationSurvivesItsJSONRoundTrip() throws {
        let verification = ConsentVerification(
            state: .drifted, checkedAt: Self.now,
            resources: [ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["A"], extraScopes: ["B"])])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(verification)
        #expect(String(decoding: data, as: UTF8.self).contains("\"applicationId\""))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ConsentVerification.self, from: data) == verification)
    }
}
