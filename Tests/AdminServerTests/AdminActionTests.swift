import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// Staff tokens through the API and disabling a partner: the effects and the audit trail's actor.
@Suite struct AdminActionTests {
    func app(_ client: PostgresClient) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        let api = router.group("api/v1").add(middleware: ActAsStaff(role: .admin))
        StaffTokenRoutes(tokens: StaffTokenRepository(client: client, audit: TestAudit.writer)).register(on: api)
        PartnerAdminRoutes(partners: PartnerRepository(client: client, audit: TestAudit.writer)).register(on: api)
        return Application(router: router)
    }

    static func audit(_ client: PostgresClient) async throws -> [(actor: String, action: String)] {
        let rows = try await client.query("SELECT actor, action FROM audit_events ORDER BY seq", logger: TestDatabase.logger)
        var events: [(actor: String, action: String)] = []
        for try await (actor, action) in rows.decode((String, String).self) { events.append((actor, action)) }
        return events
    }

    @Test func aTokenIsShownOnceListedAndRevoked() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client).test(.router) { http in
                // when
                let created = try await http.execute(
                    uri: "/api/v1/tokens", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"name":"ci","role":"operator"}"#)
                ) { ($0.status, ReadAPITests.json($0.body), $0.headers[.cacheControl]) }
                let token = created.1["token"] as? String ?? ""
                let id = (created.1["details"] as? [String: Any])?["id"] as? Int ?? 0
                let listed = try await http.execute(uri: "/api/v1/tokens", method: .get) { String(buffer: $0.body) }
                let revoked = try await http.execute(uri: "/api/v1/tokens/\(id)/revoke", method: .post) { $0.status }
                let again = try await http.execute(uri: "/api/v1/tokens/\(id)/revoke", method: .post) { $0.status }
                let member = try await StaffTokenRepository(client: client, audit: TestAudit.writer).authenticate(token, logger: TestDatabase.logger)

                // then
                #expect(created.0 == .created)
                #expect(created.2 == "no-store")
                #expect(token.hasPrefix("cpv_"))
                #expect(listed.contains("\"name\":\"ci\""))
                #expect(!listed.contains(token))
                #expect(revoked == .ok)
                #expect(again == .notFound)
                #expect(member == nil)
                let events = try await Self.audit(client)
                #expect(events.map(\.action) == ["staff_token.created", "staff_token.revoked"])
                #expect(events.allSatisfy { $0.actor == "staff:test#1" })
            }
        }
    }

    @Test(arguments: [
        (#"{"name":"x","role":"root"}"#, "invalid_role"), (#"{"name":"","role":"viewer"}"#, "invalid_name"),
        (#"{"name":"x","role":"viewer","extra":1}"#, "unknown_field"), (#"{"role":"viewer"}"#, "missing_field"),
        ("[]", "malformed_json"),
    ])
    func badTokenBodiesHaveStableCodes(body: String, code: String) async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client).test(.router) { http in
                // when
                let answer = try await http.execute(uri: "/api/v1/tokens", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) {
                    ($0.status, ReadAPITests.json($0.body))
                }
                // then
                #expect(answer.0 == .badRequest)
                #expect(ReadAPITests.errorCode(answer.1) == code)
            }
        }
    }

    @Test func disablingAPartnerIsAuditedOnceWithTheActor() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let (partner, _) = try await ReadAPITests.seed(client)
            try await app(client).test(.router) { http in
                // when
                let first = try await http.execute(
                    uri: "/api/v1/partners/\(partner)/disable", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"reason":"contract ended"}"#)
                ) { ($0.status, ReadAPITests.json($0.body)) }
                let second = try await http.execute(uri: "/api/v1/partners/\(partner)/disable", method: .post) { ReadAPITests.json($0.body) }
                let unknown = try await http.execute(uri: "/api/v1/partners/\(UUID())/disable", method: .post) { $0.status }

                // then
                #expect(first.0 == .ok)
                #expect(first.1["previousStatus"] as? String == "active")
                #expect(first.1["changed"] as? Bool == true)
                #expect(second["changed"] as? Bool == false)
                #expect(unknown == .notFound)
                let rows = try await client.query("SELECT status, status_reason FROM partners WHERE id = \(partner)", logger: TestDatabase.logger)
                let row = try await rows.collect().first?.decode((String, String?).self)
                #expect(row?.0 == "disabled")
                #expect(row?.1 == "contract ended")
                let events = try await Self.audit(client)
                #expect(events.map(\.action) == ["partner.disabled"])
                #expect(events.first?.actor == "staff:test#1")
            }
        }
    }
}
