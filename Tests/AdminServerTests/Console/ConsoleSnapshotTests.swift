@testable import AdminServer
import ConsentDomain
@testable import ConsentStore
import Foundation
@testable import Orchestrator
import Testing

/// Every console page rendered from fixed view models and compared with the HTML committed in
/// `__Snapshots__/ConsoleSnapshotTests/`. To re-record after an intended change:
/// `CPV_RECORD_SNAPSHOTS=1 swift test --filter ConsoleSnapshotTests`, then review the diff.
/// A missing snapshot is recorded and the test fails, so a new page cannot pass unseen.
@Suite struct ConsoleSnapshotTests {
    typealias F = ConsoleFixtures
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("__Snapshots__/ConsoleSnapshotTests")

    func pages() async throws -> ConsolePages {
        try await ConsolePages(templatesDirectory: Self.repository.appendingPathComponent("Templates").path)
    }

    func assertSnapshot(_ name: String, _ template: String, _ model: some Sendable, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let html = try #require(try await pages().html(template, model), sourceLocation: sourceLocation)
        let file = Self.snapshots.appendingPathComponent("\(name).html")
        let recorded = try? String(contentsOf: file, encoding: .utf8)
        if ProcessInfo.processInfo.environment["CPV_RECORD_SNAPSHOTS"] != nil || recorded == nil {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try html.write(to: file, atomically: true, encoding: .utf8)
            if recorded == nil {
                Issue.record("recorded a new snapshot \(name).html; check it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        #expect(html == recorded, "\(name).html differs; re-record with CPV_RECORD_SNAPSHOTS=1 if intended", sourceLocation: sourceLocation)
    }

    @Test func signIn() async throws {
        try await assertSnapshot("sign-in", "console/sign-in", SignInPage(formToken: "form-token", error: "That API token is unknown or revoked."))
    }

    @Test func errorPageSignedInAndOut() async throws {
        let message = "The console could not finish this request."
        try await assertSnapshot(
            "error-signed-in", "console/error",
            ErrorPage(chrome: F.chrome("Something went wrong", nil), status: 500, title: "Something went wrong", message: message, requestID: "req-123"))
        try await assertSnapshot(
            "error-signed-out", "console/error",
            ErrorPage(chrome: nil, status: 403, title: "This form has expired", message: message, requestID: "req-456"))
    }

    @Test func dashboard() async throws {
        let page = DashboardPage(
            chrome: F.chrome("Dashboard", .dashboard), partners: F.partners, coverage: F.coverage,
            missing: [F.customers[0]], activeRuns: [(F.run(status: .running), 842)], now: F.now)
        try await assertSnapshot("dashboard", "console/dashboard", page)
    }

    @Test func dashboardWithoutPartners() async throws {
        let page = DashboardPage(
            chrome: F.chrome("Dashboard", .dashboard, role: .viewer), partners: [], coverage: ReportTable(name: "consent-coverage", columns: []),
            missing: [], activeRuns: [], now: F.now)
        try await assertSnapshot("dashboard-empty", "console/dashboard", page)
    }

    @Test func partners() async throws {
        let page = PartnersPage(
            chrome: F.chrome("Partners", .partners), partners: F.partners, counts: PartnersPage.counts(F.coverage), now: F.now)
        try await assertSnapshot("partners", "console/partners", page)
        try await assertSnapshot(
            "partners-empty", "console/partners", PartnersPage(chrome: F.chrome("Partners", .partners, role: .operator), partners: [], counts: [:], now: F.now))
    }

    @Test func partnerDetail() async throws {
        let verification = PartnerVerifier.Report(
            partnerId: F.fabrikam.id, ok: false,
            steps: [.init(name: "redeem_refresh_token", ok: false, detail: "the refresh token has expired", reason: "partner_must_reconsent")],
            checkedAt: F.now)
        let page = PartnerPage(
            chrome: F.chrome("Fabrikam CSP", .partners, notice: .init(kind: "ok", text: "Customers synced: 3 added, 0 updated, 0 removed.")),
            partner: F.fabrikam,
            invitations: [
                ConsentInvitation(
                    id: 3, partnerID: F.fabrikam.id, purpose: .reconsent, createdBy: "staff:alice#1", createdAt: F.now.addingTimeInterval(-3_600),
                    expiresAt: F.now.addingTimeInterval(6 * 86_400)),
                ConsentInvitation(
                    id: 1, partnerID: F.fabrikam.id, purpose: .onboarding, createdBy: "staff:alice#1", createdAt: F.now.addingTimeInterval(-90 * 86_400),
                    expiresAt: F.now.addingTimeInterval(-83 * 86_400), usedAt: F.now.addingTimeInterval(-89 * 86_400), usedBy: "admin@fabrikam.example"),
            ],
            customers: Array(F.customers.prefix(2)), events: F.events, verification: verification, now: F.now)
        try await assertSnapshot("partner", "console/partner", page)
    }

    @Test func newPartner() async throws {
        let page = NewPartnerPage(
            chrome: F.chrome("Add a partner", .partners), tenantID: "not-a-guid", displayName: "Contoso", cloud: "usgov", error: "Tenant id must be a GUID.")
        try await assertSnapshot("partner-new", "console/partner-new", page)
    }

    @Test func customers() async throws {
        let filter = CustomerListFilter(partnerID: F.contoso.id, state: nil, stale: false, search: "co", afterID: 100)
        let page = CustomersPage(chrome: F.chrome("Customers", .customers), filter: filter, partners: F.partners, customers: F.customers)
        try await assertSnapshot("customers", "console/customers", page)
        let empty = CustomersPage(
            chrome: F.chrome("Customers", .customers), filter: CustomerListFilter(state: .missing), partners: F.partners, customers: [])
        try await assertSnapshot("customers-empty-filtered", "console/customers", empty)
    }

    @Test func customerDetail() async throws {
        let page = CustomerPage(
            chrome: F.chrome("Adatum Corporation", .customers, role: .operator), customer: F.customers[0], partner: F.contoso, history: F.events)
        try await assertSnapshot("customer", "console/customer", page)
    }

    @Test func customerDetailWithItsReadingThroughGraph() async throws {
        // a tenant that lost User.Read.All and gained Mail.Send, read against grant set 2
        let drifted = StoredVerification(
            customerID: F.customers[0].id,
            verification: ConsentVerification(
                state: .drifted, checkedAt: F.daysAgo(1),
                resources: [ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["User.Read.All"], extraScopes: ["Mail.Send"])],
                servicePrincipalID: "7b1c9d3e-0000-4000-8000-000000000001"),
            grantSetVersion: 2, lastKnownState: .drifted, lastKnownAt: F.daysAgo(1))
        let page = CustomerPage(
            chrome: F.chrome("Adatum Corporation", .customers, role: .operator), customer: F.customers[0], partner: F.contoso, history: F.events,
            verification: VerificationPanel(drifted, grantSet: F.grantSets[1]))
        try await assertSnapshot("customer-drifted", "console/customer", page)
        // unknown: why, and what was known before, never a table of "held" scopes
        let unknown = StoredVerification(
            customerID: F.customers[0].id,
            verification: .unknown(code: "graph_429", reason: "Graph answered 429 (Retry-After 7 s)", at: F.daysAgo(0)),
            grantSetVersion: 2, lastKnownState: .verified, lastKnownAt: F.daysAgo(3))
        let unread = CustomerPage(
            chrome: F.chrome("Adatum Corporation", .customers, role: .operator), customer: F.customers[0], partner: F.contoso, history: F.events,
            verification: VerificationPanel(unknown, grantSet: F.grantSets[1]))
        try await assertSnapshot("customer-unknown", "console/customer", unread)
    }

    @Test func runs() async throws {
        let page = RunsPage(
            chrome: F.chrome("Runs", .runs),
            runs: [
                F.run(status: .running),
                F.run(UUID(uuidString: "55555555-5555-4555-8555-555555555555")!, status: .completed, dryRun: true, total: 12, scope: .partnerIDs([F.contoso.id])),
            ], partners: F.partners)
        try await assertSnapshot("runs", "console/runs", page)
        try await assertSnapshot("runs-empty", "console/runs", RunsPage(chrome: F.chrome("Runs", .runs), runs: [], partners: []))
    }

    @Test func newRun() async throws {
        let page = NewRunPage(chrome: F.chrome("Start a run", .runs), partners: F.partners, scope: "states", dryRun: true, error: "Choose at least one consent state.")
        try await assertSnapshot("run-new", "console/run-new", page)
    }

    @Test func runDetailAndItsProgressFragment() async throws {
        let chrome = F.chrome("Run 44444444", .runs, role: .operator)
        try await assertSnapshot("run", "console/run", RunPage(chrome: chrome, progress: F.progress, partners: F.partners))
        try await assertSnapshot("run-progress", "console/run-progress", RunProgressView(F.progress, chrome: chrome))
        let dry = RunProgress(run: F.run(status: .completed, dryRun: true, total: 2_000), counts: [:], ratePerSecond: 0, etaSeconds: nil, failures: [:])
        try await assertSnapshot("run-progress-dry", "console/run-progress", RunProgressView(dry, chrome: chrome))
    }

    @Test func audit() async throws {
        let filter = AuditListFilter(partnerID: F.contoso.id, customerID: 101, runID: nil, action: nil, beforeSeq: 10)
        let chain = AuditChainVerifier.Report(
            checkedEvents: 1_204, lastSeq: 1_204, lastHash: String(repeating: "ab", count: 32), unkeyedEvents: 0, firstBreak: nil)
        let page = AuditPage(chrome: F.chrome("Audit", .audit), filter: filter, partners: F.partners, events: F.events, chain: chain)
        try await assertSnapshot("audit", "console/audit", page)
    }

    @Test func reports() async throws {
        try await assertSnapshot("reports", "console/reports", ReportsPage(chrome: F.chrome("Reports", .reports)))
        try await assertSnapshot("report", "console/report", ReportPage(chrome: F.chrome("Consent coverage", .reports), table: F.coverage))
    }

    @Test func grantSetsWithAPreview() async throws {
        let draft = [
            ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All"]),
        ]
        let page = GrantSetsPage(
            chrome: F.chrome("Grant sets", .grantSets), sets: F.grantSets, draftName: "CPV Control Panel",
            draftGrants: GrantSetsPage.text(draft), preview: GrantSetDiff(from: F.grantSets[1].grants, to: draft))
        try await assertSnapshot("grant-sets", "console/grant-sets", page)
    }

    @Test func grantSetsWithAProposalWaitingForASecondAdmin() async throws {
        let proposal = GrantSetProposal(
            id: 4, applicationID: F.grantSets[0].applicationID, displayName: "CPV Control Panel",
            grants: [ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All", "User.Read.All"])],
            baseVersion: 2, status: .pending, proposedBy: "staff:bob#7", proposedByTokenID: 7, proposedByName: "bob",
            proposedAt: F.now.addingTimeInterval(-600), decidedBy: nil, decidedAt: nil, decisionReason: nil, publishedVersion: nil)
        let page = GrantSetsPage(
            chrome: F.chrome("Grant sets", .grantSets), sets: F.grantSets, pending: proposal,
            staff: StaffMember(tokenID: 1, name: "alice", role: .admin))
        try await assertSnapshot("grant-sets-pending", "console/grant-sets", page)
    }

    @Test func partnerWithTheLinkOfANewInvitation() async throws {
        let invitation = ConsentInvitation(
            id: 5, partnerID: F.fabrikam.id, purpose: .reconsent, createdBy: "staff:alice#1", createdAt: F.now,
            expiresAt: F.now.addingTimeInterval(7 * 86_400))
        let page = PartnerPage(
            chrome: F.chrome("Fabrikam CSP", .partners), partner: F.fabrikam, invitations: [invitation],
            newInvitation: ConsentInvitations.Issued(
                invitation: invitation, url: Secret("https://cpv.example/consent/start?invitation=cpvi_fixture")),
            customers: [], events: [], now: F.now)
        try await assertSnapshot("partner-new-invitation", "console/partner", page)
    }
}
