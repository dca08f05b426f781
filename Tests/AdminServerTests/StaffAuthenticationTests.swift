@testable import AdminServer
import Composition
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing

/// Staff authentication (issue #14, items 8 and 9): throttling that never locks out a valid
/// token, client addresses only from trusted proxies, expiring and uniquely named tokens, actors
/// that name the token, console sessions that end when idle.
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct StaffAuthenticationTests {
    static func fail(_ h: IdentityHarness, times: Int, forwardedFor: String? = nil) async throws -> HTTPResponse.Status {
        var last = HTTPResponse.Status.ok
        for _ in 0..<times {
            var headers: HTTPFields = [.authorization: "Bearer cpv_guess_\(UUID().uuidString)"]
            if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
            last = try await h.client.execute(uri: "/api/v1/partners", method: .get, headers: headers) { $0.status }
        }
        return last
    }

    @Test func aValidTokenIsNeverRefusedBecauseOfOthersFailures() async throws {
        try await IdentityHarness.run { h in
            // given: the address has used up its failures
            #expect(try await Self.fail(h, times: 11) == .tooManyRequests)
            // when
            let (status, _) = try await h.api(.get, "/api/v1/partners")
            // then
            #expect(status == .ok)
        }
    }

    @Test func repeatedFailuresAreSlowedWithRetryAfter() async throws {
        try await IdentityHarness.run { h in
            // given
            _ = try await Self.fail(h, times: 10)
            // when
            let response = try await h.client.execute(
                uri: "/api/v1/partners", method: .get, headers: [.authorization: "Bearer cpv_guess_again"]) { $0 }
            // then
            #expect(response.status == .tooManyRequests)
            #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func forwardedForCountsOnlyFromATrustedProxy() async throws {
        try await IdentityHarness.run(environment: { _ in ["CPV_TRUSTED_PROXIES": "127.0.0.1"] }, setup: .live) { h in
            // given: a client behind the (trusted) proxy used up its failures
            _ = try await Self.fail(h, times: 10, forwardedFor: "203.0.113.7")
            // when
            let same = try await Self.fail(h, times: 1, forwardedFor: "203.0.113.7")
            let other = try await Self.fail(h, times: 1, forwardedFor: "198.51.100.9, 203.0.113.7")
            // then: only that client waits; one hop further left is whoever the proxy saw
            #expect(same == .tooManyRequests)
            #expect(other == .tooManyRequests)
            #expect(try await Self.fail(h, times: 1, forwardedFor: "198.51.100.9") == .unauthorized)
        }
    }

    @Test func forwardedForFromAnUntrustedPeerIsIgnored() async throws {
        try await IdentityHarness.run(setup: .live) { h in
            // given: failures claiming to come from many addresses, all through one untrusted peer
            for index in 0..<10 { _ = try await Self.fail(h, times: 1, forwardedFor: "203.0.113.\(index)") }
            // when
            let status = try await Self.fail(h, times: 1, forwardedFor: "198.51.100.1")
            // then: they all counted against the peer
            #expect(status == .tooManyRequests)
        }
    }

    @Test func theClientAddressIsTheNearestUntrustedHop() throws {
        let proxies = try #require(TrustedProxies(parsing: "10.0.0.0/8, 2001:db8::/32, 192.0.2.7"))
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["198.51.100.1, 192.0.2.7"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "2001:db8::5", forwardedFor: ["203.0.113.1", "10.9.9.9"]) == "203.0.113.1")
        #expect(proxies.clientAddress(peer: "198.51.100.2", forwardedFor: ["203.0.113.1"]) == "198.51.100.2")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["not-an-address"]) == "10.1.2.3")
        #expect(TrustedProxies(parsing: "10.0.0.0/33") == nil)
    }

    @Test func anExpiredTokenIsRefusedWithItsOwnCode() async throws {
        try await IdentityHarness.run { h in
            // given
            let (summary, token) = try await StaffTokenRepository(client: h.database, audit: TestAudit.writer)
                .create(name: "short-lived", role: .viewer, lifetimeDays: 1, createdBy: "test", logger: h.logger)
            try await h.database.query(
                "UPDATE staff_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = \(summary.id)",
                logger: h.logger)
            // when
            let (status, body) = try await h.api(.get, "/api/v1/partners", token: token.revealed)
            // then
            #expect(status == .unauthorized)
            #expect(body.contains("token_expired"))
        }
    }

    @Test func aTokenLivesNinetyDaysUnlessToldOtherwise() async throws {
        try await IdentityHarness.run { h in
            // when
            let (_, standard) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"standard","role":"viewer"}"#)
            let (_, short) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"short","role":"viewer","expiresInDays":5}"#)
            let (tooLong, _) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"long","role":"viewer","expiresInDays":366}"#)
            // then
            func days(_ body: String) throws -> Int {
                let details = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["details"] as? [String: Any])
                let expires = try #require((details["expiresAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
                return Int((expires.timeIntervalSinceNow / 86_400).rounded())
            }
            #expect(try days(standard) == 90)
            #expect(try days(short) == 5)
            #expect(tooLong == .badRequest)
        }
    }

    @Test func twoLiveTokensCannotShareAName() async throws {
        try await IdentityHarness.run { h in
            // given
            let (first, body) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"ci","role":"viewer"}"#)
            // when
            let (again, answer) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"CI","role":"viewer"}"#)
            let id = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]).flatMap { ($0["details"] as? [String: Any])?["id"] as? Int })
            _ = try await h.api(.post, "/api/v1/tokens/\(id)/revoke")
            let (afterRevoke, _) = try await h.api(.post, "/api/v1/tokens", json: #"{"name":"ci","role":"viewer"}"#)
            // then
            #expect(first == .created)
            #expect(again == .conflict)
            #expect(answer.contains("duplicate_token_name"))
            #expect(afterRevoke == .created)
        }
    }

    @Test func theAuditActorNamesTheTokenUsed() async throws {
        try await IdentityHarness.run { h in
            // when
            _ = try await h.registerPartner(0)
            // then
            let rows = try await h.database.query("SELECT actor FROM audit_events WHERE action = 'partner.registered'", logger: h.logger)
            for try await actor in rows.decode(String.self) { #expect(actor.wholeMatch(of: /staff:test-admin#\d+/) != nil, "\(actor)") }
        }
    }

    @Test func aConsoleSessionEndsAfterItsIdleTimeout() async throws {
        try await IdentityHarness.run(environment: { _ in ["CPV_CONSOLE_IDLE_MINUTES": "30"] }) { h in
            // given: a session last used 31 minutes ago
            var browser = ConsoleBrowser(client: h.client)
            _ = try await browser.signIn(token: h.adminToken)
            try await h.database.query("UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes'", logger: h.logger)
            // when
            let page = try await browser.get("/console")
            // then
            #expect(page.status == .seeOther)
            #expect(page.location == "/console/sign-in")
        }
    }

    @Test func theRunProgressRefreshDoesNotKeepASessionAlive() async throws {
        try await IdentityHarness.run { h in
            // given: a session last used by its person 20 minutes ago
            var browser = ConsoleBrowser(client: h.client)
            _ = try await browser.signIn(token: h.adminToken)
            try await h.database.query("UPDATE console_sessions SET last_seen_at = now() - interval '20 minutes'", logger: h.logger)
            // when: the page's script polls a fragment
            _ = try await browser.get("/console/runs/\(UUID())/progress")
            // then
            var idleMinutes = 0.0
            for try await minutes in try await h.database.query(
                "SELECT extract(epoch FROM now() - last_seen_at)::float8 / 60 FROM console_sessions", logger: h.logger
            ).decode(Double.self) { idleMinutes = minutes }
            #expect(idleMinutes >= 19)
            _ = try await browser.get("/console")
            for try await minutes in try await h.database.query(
                "SELECT extract(epoch FROM now() - last_seen_at)::float8 / 60 FROM console_sessions", logger: h.logger
            ).decode(Double.self) { idleMinutes = minutes }
            #expect(idleMinutes < 1)
        }
    }
}
