import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Sign-in, sessions, CSRF and security headers of the console, through the real application.
@Suite struct ConsoleAuthTests {
    @Test func signingInSetsAHardenedSessionCookieAndSigningOutEndsTheSession() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // when
            let signedIn = try await browser.signIn(token: harness.adminToken)
            let cookie = signedIn.headers[values: .setCookie].first { $0.hasPrefix("cpv_console=") } ?? ""
            let dashboard = try await browser.get("/console")
            let sessionCookie = browser.cookies["cpv_console"]
            let csrf = dashboard.hidden("_csrf")
            let signedOut = try await browser.post("/console/sign-out", csrf: csrf)
            browser.cookies["cpv_console"] = sessionCookie
            let afterSignOut = try await browser.get("/console")

            // then
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/console")
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/console"))
            #expect(cookie.contains("Max-Age=43200"))
            #expect(!cookie.contains("Secure"), "served over http in this test")
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.contains("data-console-nav"))
            #expect(signedOut.status == .seeOther)
            #expect(afterSignOut.status == .seeOther)
            #expect(afterSignOut.location == "/console/sign-in")
            let actions = try await auditActions(harness, prefix: "console.")
            #expect(actions == ["console.signed_in", "console.signed_out"])
        }
    }

    @Test func theSessionCookieIsSecureWhenTheConsoleIsServedOverHTTPS() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1, environment: { _ in ["CPV_PUBLIC_URL": "https://cpv.example"] }) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // when
            let signedIn = try await browser.signIn(token: harness.adminToken)
            // then
            let cookie = signedIn.headers[values: .setCookie].first { $0.hasPrefix("cpv_console=") } ?? ""
            #expect(cookie.contains("Secure"))
        }
    }

    @Test func anUnknownTokenIsRefusedOnTheSignInPage() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // when
            let page = try await browser.signIn(token: "cpv_nothing_atall")
            // then
            #expect(page.status == .unauthorized)
            #expect(page.body.contains("That API token is unknown or revoked."))
            #expect(browser.cookies["cpv_console"] == nil)
        }
    }

    @Test func repeatedFailedSignInsAreSlowedDown() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // given: ten misses from this address
            for _ in 0..<10 { _ = try await browser.signIn(token: "cpv_guess_\(UUID().uuidString)") }
            // when
            let page = try await browser.signIn(token: "cpv_guess_\(UUID().uuidString)")
            // then
            #expect(page.status == .tooManyRequests)
            #expect(page.body.contains("Too many failed sign-ins"))
            #expect(browser.cookies["cpv_console"] == nil)
        }
    }

    @Test func aGoodTokenSignsInWhateverOthersAtTheSameAddressFailed() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // given: ten misses from this address (a colleague behind the same proxy, or an attacker)
            for _ in 0..<10 { _ = try await browser.signIn(token: "cpv_guess_\(UUID().uuidString)") }
            // when
            let page = try await browser.signIn(token: harness.adminToken)
            // then
            #expect(page.status == .seeOther)
            #expect(browser.cookies["cpv_console"] != nil)
        }
    }

    @Test func aSignInWithoutTheFormTokenIsRefused() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            // when: a cross-site form cannot know the sign-in cookie's value
            let page = try await browser.send(.post, "/console/sign-in", body: "token=\(harness.adminToken)&_signin=guess")
            // then
            #expect(page.status == .forbidden)
            #expect(page.body.contains("This form has expired"))
            #expect(browser.cookies["cpv_console"] == nil)
        }
    }

    @Test func revokingTheStaffTokenEndsItsConsoleSessions() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            // given
            let tokens = StaffTokenRepository(client: harness.database, audit: TestAudit.writer)
            let (summary, token) = try await tokens.create(name: "ops-1", role: .operator, createdBy: "test", logger: harness.logger)
            var browser = ConsoleBrowser(client: harness.client)
            _ = try await browser.signIn(token: token.revealed)
            let before = try await browser.get("/console")
            // when
            _ = try await tokens.revoke(id: summary.id, actor: "test", logger: harness.logger)
            let after = try await browser.get("/console")
            // then
            #expect(before.status == .ok)
            #expect(after.status == .seeOther)
            #expect(after.location == "/console/sign-in")
        }
    }

    @Test func anExpiredSessionSendsTheBrowserToSignIn() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            // given
            var browser = ConsoleBrowser(client: harness.client)
            _ = try await browser.signIn(token: harness.adminToken)
            // when
            try await harness.database.query(
                "UPDATE console_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'",
                logger: harness.logger)
            let page = try await browser.get("/console/partners")
            // then
            #expect(page.status == .seeOther)
            #expect(page.location == "/console/sign-in")
        }
    }

    @Test func aSignInDeletesSessionsExpiredMoreThanAWeekAgo() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            // given: one session expired eight days ago, one yesterday
            var browser = ConsoleBrowser(client: harness.client)
            _ = try await browser.signIn(token: harness.adminToken)
            _ = try await browser.signIn(token: harness.adminToken)
            try await harness.database.query(
                """
                UPDATE console_sessions SET created_at = now() - interval '9 days', expires_at = now() - interval '8 days'
                WHERE id = (SELECT min(id) FROM console_sessions)
                """, logger: harness.logger)
            try await harness.database.query(
                """
                UPDATE console_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
                WHERE id = (SELECT max(id) FROM console_sessions)
                """, logger: harness.logger)
            // when
            _ = try await browser.signIn(token: harness.adminToken)
            // then
            let rows = try await harness.database.query(
                "SELECT count(*) FILTER (WHERE expires_at < now())::int, count(*)::int FROM console_sessions", logger: harness.logger)
            var counts: (Int, Int) = (-1, -1)
            for try await row in rows.decode((Int, Int).self) { counts = row }
            #expect(counts == (1, 2), "the week-old session is gone, yesterday's stays, the new one is live")
        }
    }

    @Test func aFormWithoutOrWithAWrongCSRFTokenIsRefusedWithAFriendlyPage() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            // given
            var browser = ConsoleBrowser(client: harness.client)
            _ = try await browser.signIn(token: harness.adminToken)
            let fields = [("scope", "all"), ("dryRun", "true")]
            // when
            let missing = try await browser.post("/console/runs", fields, csrf: nil)
            let wrong = try await browser.post("/console/runs", fields, csrf: String(repeating: "0", count: 64))
            // then
            for page in [missing, wrong] {
                #expect(page.status == .forbidden)
                #expect(page.body.contains("This form has expired"))
                #expect(page.body.contains("Request id"))
                #expect(page.body.contains("data-console-nav"))
            }
            let runs = try await RunRepository(client: harness.database, audit: TestAudit.writer).runs(logger: harness.logger)
            #expect(runs.isEmpty)
        }
    }

    @Test func everyConsoleResponseCarriesTheSecurityHeaders() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var browser = ConsoleBrowser(client: harness.client)
            var pages = [try await browser.get("/console/sign-in"), try await browser.get("/console/static/console.css")]
            _ = try await browser.signIn(token: harness.adminToken)
            for path in ["/console", "/console/partners", "/console/no-such-page", "/console/customers/999999", "/console/runs/not-a-run"] {
                pages.append(try await browser.get(path))
            }
            pages.append(try await browser.post("/console/runs", [], csrf: nil))
            for page in pages {
                #expect(
                    page.headers[.contentSecurityPolicy]
                        == "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }

    func auditActions(_ harness: IdentityHarness, prefix: String) async throws -> [String] {
        let rows = try await harness.database.query(
            "SELECT action FROM audit_events WHERE action LIKE \(prefix + "%") ORDER BY seq", logger: harness.logger)
        var actions: [String] = []
        for try await action in rows.decode(String.self) { actions.append(action) }
        return actions
    }
}
