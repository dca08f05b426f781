import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// The console's pages and actions against the real application: roles exactly as in the API,
/// friendly errors, empty states, and every page with a consented, synced partner.
@Suite struct ConsolePageRouteTests {
    static let pages = [
        "/console", "/console/partners", "/console/partners/new", "/console/customers", "/console/customers?state=missing",
        "/console/runs", "/console/runs/new", "/console/audit", "/console/reports", "/console/reports/consent-coverage",
        "/console/reports/partner-token-health", "/console/reports/failures", "/console/reports/stale", "/console/reports/missing-consent",
        "/console/grant-sets",
    ]

    func signedIn(_ harness: IdentityHarness, role: StaffRole) async throws -> (ConsoleBrowser, String) {
        var token = harness.adminToken
        if role != .admin {
            token = try await StaffTokenRepository(client: harness.database, audit: TestAudit.writer).create(
                name: "\(role.rawValue)-1", role: role, createdBy: "test", logger: harness.logger
            ).1.revealed
        }
        var browser = ConsoleBrowser(client: harness.client)
        _ = try await browser.signIn(token: token)
        let csrf = try await browser.csrfToken() ?? ""
        return (browser, csrf)
    }

    @Test func aViewerSeesThePagesButCannotChangeAnything() async throws {
        try await IdentityHarness.run(partners: 1, customers: 2) { harness in
            // given
            var (browser, csrf) = try await signedIn(harness, role: .viewer)
            // when
            let list = try await browser.get("/console/runs")
            let form = try await browser.get("/console/runs/new")
            let create = try await browser.post("/console/runs", [("scope", "all"), ("dryRun", "true")], csrf: csrf)
            // then
            #expect(list.status == .ok)
            #expect(!list.body.contains("Start a run"), "the button is not offered to a viewer")
            #expect(form.status == .forbidden)
            #expect(create.status == .forbidden)
            #expect(create.body.contains("this needs the operator role"))
            #expect(try await RunRepository(client: harness.database, audit: TestAudit.writer).runs(logger: harness.logger).isEmpty)
        }
    }

    @Test func anOperatorCannotAddPartnersPublishGrantSetsOrRevoke() async throws {
        try await IdentityHarness.run(partners: 1, customers: 2) { harness in
            // given
            var (browser, csrf) = try await signedIn(harness, role: .operator)
            // when
            let partner = try await browser.post(
                "/console/partners", [("tenantId", UUID().uuidString), ("displayName", "Nope"), ("cloud", "global")], csrf: csrf)
            let grantSet = try await browser.post(
                "/console/grant-sets", [("displayName", "x"), ("grants", "00000003-0000-0000-c000-000000000000: User.Read"), ("intent", "publish")],
                csrf: csrf)
            let revoke = try await browser.post(
                "/console/runs", [("scope", "all"), ("action", "revoke"), ("confirm", "revoke")], csrf: csrf)
            let dryRun = try await browser.post("/console/runs", [("scope", "all"), ("dryRun", "true")], csrf: csrf)
            // then
            #expect(partner.status == .forbidden)
            #expect(grantSet.status == .forbidden)
            #expect(revoke.status == .forbidden)
            #expect(dryRun.status == .seeOther, "an operator may start a grant run")
            #expect(try await PartnerRepository(client: harness.database, audit: TestAudit.writer).allPartners(logger: harness.logger).isEmpty)
        }
    }

    @Test func aRevokeRunNeedsTheTypedConfirmation() async throws {
        try await IdentityHarness.run(partners: 1, customers: 2) { harness in
            var (browser, csrf) = try await signedIn(harness, role: .admin)
            // when
            let page = try await browser.post("/console/runs", [("scope", "all"), ("action", "revoke"), ("confirm", "yes")], csrf: csrf)
            // then
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("type revoke to confirm"))
            #expect(try await RunRepository(client: harness.database, audit: TestAudit.writer).runs(logger: harness.logger).isEmpty)
        }
    }

    @Test func emptyStatesSayWhatToDoNext() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            var (browser, _) = try await signedIn(harness, role: .admin)
            // when
            let dashboard = try await browser.get("/console")
            let partners = try await browser.get("/console/partners")
            let customers = try await browser.get("/console/customers")
            let runs = try await browser.get("/console/runs")
            // then
            #expect(dashboard.body.contains("No partners yet"))
            #expect(partners.body.contains("No partners yet"))
            #expect(partners.body.contains("href=\"/console/partners/new\""))
            #expect(customers.body.contains("No customers yet"))
            #expect(runs.body.contains("No runs yet"))
        }
    }

    @Test func aFailureRendersAFriendlyPageWithTheRequestIDAndNoErrorText() async throws {
        try await IdentityHarness.run(partners: 1, customers: 1) { harness in
            // given: a query that will fail inside PostgreSQL
            var (browser, _) = try await signedIn(harness, role: .admin)
            try await TestDatabase.asSuperuser(harness.databaseURL) { admin in
                try await admin.query("ALTER TABLE customer_consents RENAME TO customer_consents_gone", logger: harness.logger)
            }
            // when
            let page = try await browser.get("/console/customers")
            let missing = try await browser.get("/console/customers/424242")
            // then
            #expect(page.status == .internalServerError)
            #expect(page.body.contains("Something went wrong on our side"))
            #expect(page.body.range(of: #"Request id <code>[^<]+</code>"#, options: .regularExpression) != nil)
            #expect(!page.body.contains("customer_consents"))
            #expect(!page.body.contains("PSQLError"))
            #expect(missing.status == .notFound || missing.status == .internalServerError)
        }
    }

    @Test func everyPageWorksWithAConsentedSyncedPartnerAndActionsAreAudited() async throws {
        try await IdentityHarness.run(partners: 1, customers: 3) { harness in
            // given: a partner added through the console, consented and synced
            var (browser, csrf) = try await signedIn(harness, role: .admin)
            let world = harness.world.partners[0]
            let added = try await browser.post(
                "/console/partners", [("tenantId", world.tenantId), ("displayName", world.displayName), ("cloud", "global")], csrf: csrf)
            // The answer is the partner's page itself, with its first invitation's one-time link.
            let idMatch = try #require(added.body.firstMatch(of: /\/console\/partners\/([0-9a-f-]{36})\//))
            let partnerID = try #require(UUID(uuidString: String(idMatch.1)))
            let partnerPath = "/console/partners/\(partnerID.uuidString.lowercased())"
            let linkMatch = try #require(added.body.firstMatch(of: /value="http:\/\/cpv\.test(\/consent\/start\?invitation=cpvi_[A-Za-z0-9]+)"/))
            _ = try await harness.consent(partnerID: partnerID, invitation: String(linkMatch.1))
            let synced = try await browser.post("\(partnerPath)/sync", csrf: csrf)
            let customer = try #require(
                try await CustomerQuery(client: harness.database).list(CustomerFilter(partnerID: partnerID), logger: harness.logger).first)

            // when
            var statuses: [String: HTTPResponse.Status] = [:]
            var withoutNav: [String] = []
            for path in Self.pages + [partnerPath, "/console/customers/\(customer.id)", "/console/customers?q=\(customer.companyName.prefix(4))"] {
                let page = try await browser.get(path)
                statuses[path] = page.status
                if !page.body.contains("data-console-nav") { withoutNav.append(path) }
            }
            let run = try await browser.post("/console/runs", [("scope", "partner"), ("partnerId", partnerID.uuidString), ("dryRun", "true")], csrf: csrf)
            let runPage = try await browser.get(run.location ?? "")
            let runID = String((run.location ?? "").split(separator: "/").last?.prefix { $0 != "?" } ?? "")
            let fragment = try await browser.get("/console/runs/\(runID)/progress")
            let real = try await browser.post("/console/runs", [("scope", "all")], csrf: csrf)
            let realID = String((real.location ?? "").split(separator: "/").last?.prefix { $0 != "?" } ?? "")
            let paused = try await browser.post("/console/runs/\(realID)/pause", csrf: csrf)
            let csv = try await browser.get("/console/reports/consent-coverage.csv")

            // then
            #expect(added.status == .ok)
            #expect(added.body.contains("shown only now"))
            #expect(synced.status == .seeOther)
            #expect(statuses.values.allSatisfy { $0 == .ok }, "\(statuses.filter { $0.value != .ok })")
            #expect(withoutNav.isEmpty, "\(withoutNav)")
            #expect(run.status == .seeOther)
            #expect(runPage.body.contains("Run created."))
            #expect(runPage.body.contains("dry run"))
            #expect(runPage.body.contains("customers in scope"))
            #expect(fragment.status == .ok)
            #expect(fragment.body.hasPrefix("<div class=\"progress-block\""))
            #expect(paused.status == .seeOther)
            #expect(try await RunRepository(client: harness.database, audit: TestAudit.writer).run(id: try #require(UUID(uuidString: realID)), logger: harness.logger)?.status == .paused)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.body.hasPrefix("partner_id,partner_name"))
            let rows = try await harness.database.query(
                """
                SELECT action, actor FROM audit_events
                WHERE action IN ('partner.registered', 'partner.invitation.issued', 'run.planned', 'run.created', 'run.pause', 'customers.synced')
                ORDER BY seq
                """,
                logger: harness.logger)
            var staffActions: [String] = []
            for try await (action, actor) in rows.decode((String, String).self) where actor.hasPrefix("staff:test-admin#") {
                staffActions.append(action)
            }
            #expect(staffActions == ["partner.registered", "partner.invitation.issued", "customers.synced", "run.planned", "run.created", "run.pause"])
        }
    }
}
