import AdminServer
import CPVTestSupport
import ConsentStore
import Foundation
import Hummingbird
import Testing

@Suite struct PartnerRegistrationTests {
    @Test func anAdminRegistersAPartnerPendingConsentWithAOneTimeInvitationLink() async throws {
        try await IdentityHarness.run { h in
            // given
            let partner = h.world.partners[0]
            // when
            let (status, body) = try await h.api(
                .post, "/api/v1/partners", json: #"{"tenantId":"\#(partner.tenantId)","displayName":"Contoso Partner","cloud":"global"}"#)
            // then
            #expect(status == .created)
            #expect(body.contains(#""status":"pending_consent""#))
            let id = try #require(IdentityHarness.field("id", in: body))
            let link = try #require(IdentityHarness.field("consentUrl", in: body))
            #expect(link.hasPrefix("\(IdentityHarness.publicURL)/consent/start?invitation=cpvi_"))
            #expect(try await h.auditActions(partnerID: try #require(UUID(uuidString: id))) == ["partner.registered", "partner.invitation.issued"])
            let stored = try await h.database.query("SELECT count(*) FROM consent_invitations WHERE secret_hash::text LIKE '%cpvi%'", logger: h.logger)
            for try await count in stored.decode(Int.self) { #expect(count == 0, "the secret is stored in clear") }
            let (_, again) = try await h.api(.get, "/api/v1/partners/\(id)")
            #expect(!again.contains("cpvi_"), "the link is shown more than once")
        }
    }

    @Test(arguments: [
        (#"{"tenantId":"contoso.onmicrosoft.com","displayName":"X","cloud":"global"}"#, 400, "invalid_tenant_id"),
        (#"{"tenantId":"6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01","displayName":"X","cloud":"mars"}"#, 400, "unknown_cloud"),
        (#"{"tenantId":"6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01","displayName":"  ","cloud":"global"}"#, 400, "invalid_display_name"),
        (#"{"tenantId":"6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01","displayName":"X","cloud":"global","extra":1}"#, 400, "unknown_field"),
        (#"{"displayName":"X","cloud":"global"}"#, 400, "missing_field"),
        (#"not json"#, 400, "malformed_json"),
    ])
    func badRegistrationsGetAStableCode(_ json: String, _ status: Int, _ code: String) async throws {
        try await IdentityHarness.run { h in
            let (answer, body) = try await h.api(.post, "/api/v1/partners", json: json)
            #expect(Int(answer.code) == status)
            #expect(body.contains(#""code":"\#(code)""#), "\(body)")
        }
    }

    @Test func aDuplicateTenantIsAConflict() async throws {
        try await IdentityHarness.run { h in
            _ = try await h.registerPartner(0)
            let partner = h.world.partners[0]
            let (status, body) = try await h.api(
                .post, "/api/v1/partners", json: #"{"tenantId":"\#(partner.tenantId)","displayName":"Again","cloud":"global"}"#)
            #expect(status == .conflict)
            #expect(body.contains(#""code":"duplicate_partner""#))
        }
    }

    @Test func missingRevokedAndUnderPrivilegedTokensAreRefused() async throws {
        try await IdentityHarness.run { h in
            let json = #"{"tenantId":"\#(h.world.partners[0].tenantId)","displayName":"X","cloud":"global"}"#
            let (noToken, noTokenBody) = try await h.api(.post, "/api/v1/partners", token: "", json: json)
            #expect(noToken == .unauthorized)
            #expect(noTokenBody.contains(#""code":"unauthenticated""#))
            let (forged, _) = try await h.api(.get, "/api/v1/partners", token: "cpv_aaaaaaaa_not-a-real-token")
            #expect(forged == .unauthorized)
            let (viewer, viewerToken) = try await StaffTokenRepository(client: h.database, audit: TestAudit.writer).create(
                name: "viewer", role: .viewer, createdBy: "test", logger: h.logger)
            let (forbidden, forbiddenBody) = try await h.api(.post, "/api/v1/partners", token: viewerToken.revealed, json: json)
            #expect(forbidden == .forbidden)
            #expect(forbiddenBody.contains(#""code":"forbidden""#))
            let (readable, _) = try await h.api(.get, "/api/v1/partners", token: viewerToken.revealed)
            #expect(readable == .ok)
            _ = try await StaffTokenRepository(client: h.database, audit: TestAudit.writer).revoke(id: viewer.id, actor: "test", logger: h.logger)
            let (revoked, _) = try await h.api(.get, "/api/v1/partners", token: viewerToken.revealed)
            #expect(revoked == .unauthorized)
        }
    }

    @Test func repeatedFailedAuthenticationsAreSlowedDown() async throws {
        try await IdentityHarness.run { h in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<12 {
                statuses.append(try await h.api(.get, "/api/v1/partners", token: "cpv_guess_\(UUID().uuidString)").status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .unauthorized })
            #expect(statuses.last == .tooManyRequests)
        }
    }
}
