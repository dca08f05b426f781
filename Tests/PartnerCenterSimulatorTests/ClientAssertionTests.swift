import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §1.3 (certificate client assertions) and §1.6 (700027 and friends).
@Suite struct ClientAssertionTests {
    static let certificate = Result { try TestCertificate.make() }

    private func world(_ cert: TestCertificate) -> SimulatorWorld {
        var world = SimulatorWorld.generated(seed: 11, partners: 1, customersPerPartner: 2)
        world.applications[0].certificatePEMs = [cert.pem]
        return world
    }

    private func tokenRequest(_ h: SimulatorHarness, assertion: String) async throws -> HTTPResult {
        try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
            ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("scope", "https://graph.microsoft.com/.default"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
        ])
    }

    private func canonicalAudience(_ h: SimulatorHarness) -> String {
        "https://login.microsoftonline.com/\(h.partner.tenantId)/oauth2/v2.0/token"
    }

    @Test func ps256WithSHA256ThumbprintIsAccepted() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: canonicalAudience(h), algorithm: .ps256)
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(r.status == 200, "\(r.text)")
        }
    }

    @Test func rs256WithSHA1ThumbprintIsAccepted() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: canonicalAudience(h), algorithm: .rs256)
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(r.status == 200, "\(r.text)")
        }
    }

    @Test func audienceInTheSimulatorsOwnURLFormIsAccepted() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: "\(h.base)/\(h.partner.tenantId)/oauth2/v2.0/token")
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(r.status == 200, "\(r.text)")
        }
    }

    @Test func assertionFromAnUnregisteredKeyIs700027() async throws {
        let cert = try Self.certificate.get()
        let stranger = try TestCertificate.make()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try stranger.assertion(clientId: h.app.appId, audience: canonicalAudience(h))
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(r.status == 401)
            #expect(r.json["error"] as? String == "invalid_client")
            #expect((r.json["error_codes"] as? [Int]) == [700027])
        }
    }

    @Test func replayedJTIIsRefused() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: canonicalAudience(h))
            _ = try await tokenRequest(h, assertion: assertion)
            // when
            let replay = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(replay.status == 401)
            #expect((replay.json["error_codes"] as? [Int]) == [700027])
        }
    }

    @Test func expiredAssertionIs700024() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: canonicalAudience(h), expiresIn: -3600)
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect((r.json["error_codes"] as? [Int]) == [700024])
        }
    }

    @Test func wrongAudienceIsRefused() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: "https://login.microsoftonline.com/\(UUID().uuidString)/oauth2/v2.0/token")
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect(r.status == 401)
            #expect(r.json["error"] as? String == "invalid_client")
        }
    }

    @Test func issuerOtherThanClientIdIsRefused() async throws {
        let cert = try Self.certificate.get()
        try await SimulatorHarness.run(world: world(cert)) { h in
            // given
            let assertion = try cert.assertion(clientId: h.app.appId, audience: canonicalAudience(h), issuer: UUID().uuidString)
            // when
            let r = try await tokenRequest(h, assertion: assertion)
            // then
            #expect((r.json["error_codes"] as? [Int]) == [700027])
        }
    }
}
