import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §1.5 (error body) and §1.6 (AADSTS codes, `error`, HTTP status, `suberror`).
@Suite struct AADSTSOutcomeTests {
    struct DeadToken: Sendable, CustomTestStringConvertible {
        var code: Int
        var error: String
        var suberror: String?
        var testDescription: String { "AADSTS\(code)" }
    }

    static let deadTokens = [
        DeadToken(code: 700082, error: "invalid_grant", suberror: "bad_token"),
        DeadToken(code: 70008, error: "invalid_grant", suberror: nil),
        DeadToken(code: 50173, error: "invalid_grant", suberror: nil),
        DeadToken(code: 50076, error: "invalid_grant", suberror: "basic_action"),
        DeadToken(code: 53003, error: "interaction_required", suberror: "message_only"),
    ]

    @Test(arguments: deadTokens)
    func deadRefreshTokensOfOnePartnerFailWithTheChosenCode(_ dead: DeadToken) async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            let other = h.world.partners[1]
            let otherRT = try await h.partnerRefreshToken(other)
            h.state.updateFaults { $0.deadRefreshTokens[h.partner.tenantId] = dead.code }
            // when
            let r = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            let unaffected = try await h.refresh(otherRT, tenant: other.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == dead.error)
            #expect((r.json["error_codes"] as? [Int]) == [dead.code])
            #expect(r.json["suberror"] as? String == dead.suberror)
            #expect(unaffected.status == 200)
        }
    }

    @Test func customerTenantWithoutConsentAnswers65001() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let r = try await h.refresh(rt, tenant: h.partner.customers[0].tenantId, scope: "https://graph.microsoft.com/.default")
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "invalid_grant")
            #expect((r.json["error_codes"] as? [Int]) == [65001])
        }
    }

    @Test func customerOfAnotherPartnerAnswers50020() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            // when
            let r = try await h.refresh(rt, tenant: h.world.partners[1].customers[0].tenantId, scope: "https://graph.microsoft.com/.default")
            // then
            #expect((r.json["error_codes"] as? [Int]) == [50020])
        }
    }

    @Test func wrongClientSecretIs7000215With401() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "nope"), ("scope", "https://graph.microsoft.com/.default"),
            ])
            // then
            #expect(r.status == 401)
            #expect(r.json["error"] as? String == "invalid_client")
            #expect((r.json["error_codes"] as? [Int]) == [7000215])
        }
    }

    @Test func expiredClientSecretIs7000222() async throws {
        // given
        var world = SimulatorWorld.generated(seed: 5, partners: 1, customersPerPartner: 1)
        world.applications[0].clientSecrets = [SimulatedClientSecret(value: "old", expiresAt: Date(timeIntervalSince1970: 1_000))]
        try await SimulatorHarness.run(world: world) { h in
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "old"), ("scope", "https://graph.microsoft.com/.default"),
            ])
            // then
            #expect(r.status == 401)
            #expect((r.json["error_codes"] as? [Int]) == [7000222])
        }
    }

    @Test func unknownApplicationIs700016UnauthorizedClient() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", UUID().uuidString), ("client_secret", "x"), ("scope", "https://graph.microsoft.com/.default"),
            ])
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "unauthorized_client")
            #expect((r.json["error_codes"] as? [Int]) == [700016])
        }
    }

    @Test func unknownTenantIs90002InvalidTenant() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.form("/\(UUID().uuidString)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"), ("scope", "https://graph.microsoft.com/.default"),
            ])
            // then
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "invalid_tenant")
            #expect((r.json["error_codes"] as? [Int]) == [90002])
        }
    }

    @Test func transientFailureAnswersTemporarilyUnavailable() async throws {
        try await SimulatorHarness.run { h in
            // given
            h.state.updateFaults { $0.failures[.entra] = FailureFault(fraction: 1, status: 503) }
            // when
            let r = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [("grant_type", "client_credentials")])
            // then
            #expect(r.status == 503)
            #expect(r.json["error"] as? String == "temporarily_unavailable")
        }
    }

    @Test func deadRefreshTokensCanBeSetThroughTheControlAPI() async throws {
        try await SimulatorHarness.run { h in
            // given
            let rt = try await h.partnerRefreshToken()
            let put = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["deadRefreshTokens": [h.partner.tenantId: 700082]])
            // when
            let r = try await h.refresh(rt, tenant: h.partner.tenantId, scope: "https://api.partnercenter.microsoft.com/.default")
            // then
            #expect(put.status == 200)
            #expect((r.json["error_codes"] as? [Int]) == [700082])
        }
    }
}
