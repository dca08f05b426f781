@testable import AdminServer
import ConsentDomain
@testable import ConsentStore
import Foundation
@testable import Orchestrator

/// Fixed domain values and the page view models built from them, for the snapshot tests: no
/// clock, no randomness, so a snapshot changes only when a template or a view model does.
enum ConsoleFixtures {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 UTC
    static func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    static let chrome = ConsoleChrome(
        title: "Fixture", section: .dashboard, staffName: "alex", role: .admin, csrfToken: "csrf-fixture-token")
    static func chrome(_ title: String, _ section: ConsoleChrome.Section?, role: StaffRole = .admin, notice: ConsoleChrome.Notice? = nil)
        -> ConsoleChrome
    {
        ConsoleChrome(title: title, section: section, staffName: "alex", role: role, csrfToken: "csrf-fixture-token", notice: notice)
    }

    static let contoso = Partner(
        id: UUID(uuidString: "11111111-1111-4111-8111-111111111111")!, tenantID: TenantID("aaaaaaaa-0000-4000-8000-000000000001")!,
        displayName: "Contoso Partners", cloud: .global, status: .active, consentedBy: "admin@contoso.example",
        consentedAt: daysAgo(80), tokenVersion: 3, lastRedeemedAt: daysAgo(81), createdAt: daysAgo(120))
    static let fabrikam = Partner(
        id: UUID(uuidString: "22222222-2222-4222-8222-222222222222")!, tenantID: TenantID("aaaaaaaa-0000-4000-8000-000000000002")!,
        displayName: "Fabrikam CSP", cloud: .global, status: .needsReconsent, statusReason: "refresh token expired",
        consentedBy: "it@fabrikam.example", consentedAt: daysAgo(200), tokenVersion: 9, lastRedeemedAt: daysAgo(95),
        lastTokenError: "The refresh token has expired due to inactivity.", lastTokenErrorCode: "AADSTS700082", createdAt: daysAgo(300))
    static let northwind = Partner(
        id: UUID(uuidString: "33333333-3333-4333-8333-333333333333")!, tenantID: TenantID("aaaaaaaa-0000-4000-8000-000000000003")!,
        displayName: "Northwind Traders", cloud: .global, status: .pendingConsent, createdAt: daysAgo(2))
    static let partners = [contoso, fabrikam, northwind]

    static func customer(_ id: Int64, _ name: String, state: String, partner: Partner = contoso, error: String? = nil) -> CustomerSummary {
        CustomerSummary(
            id: id, partnerID: partner.id, tenantID: UUID(uuidString: String(format: "bbbbbbbb-0000-4000-8000-%012d", id))!,
            companyName: name, domain: name.lowercased().replacingOccurrences(of: " ", with: "") + ".example", relationship: "reseller",
            firstSeenAt: daysAgo(60), lastSeenAt: daysAgo(1), removedAt: nil, consentState: state,
            grantSetVersion: state == "granted" ? 2 : nil, lastAttemptAt: daysAgo(1), lastSuccessAt: state == "granted" ? daysAgo(3) : nil,
            lastErrorCode: error, lastError: error.map { _ in "Partner Center answered 500" }, attempts: error == nil ? 1 : 3)
    }

    static let customers = [
        customer(101, "Adatum Corporation", state: "missing", error: "partner_center_5xx"),
        customer(102, "Blue Yonder Airlines", state: "granted"),
        customer(103, "Coho Winery", state: "failed", error: "consent_conflict"),
        customer(104, "Datum Relay", state: "unknown"),
    ]

    static func event(_ seq: Int64, _ action: String, customer: Int64? = 101, run: UUID? = nil, status: Int? = nil, error: String? = nil)
        -> AuditEventSummary
    {
        AuditEventSummary(
            seq: seq, occurredAt: daysAgo(1).addingTimeInterval(Double(seq)), actor: action.hasPrefix("consent") ? "run:worker" : "staff:alex",
            action: action, partnerID: contoso.id, customerID: customer, runID: run, taskID: nil,
            httpMethod: action.hasPrefix("consent.post") ? "POST" : (action.hasPrefix("consent.delete") ? "DELETE" : nil),
            urlPath: action.hasPrefix("consent") ? "/v1/customers/bbbbbbbb-0000-4000-8000-000000000101/applicationconsents" : nil,
            responseStatus: status, msRequestID: nil, msCorrelationID: nil, errorCode: error, durationMilliseconds: status == nil ? nil : 182,
            details: nil)
    }

    static let runID = UUID(uuidString: "44444444-4444-4444-8444-444444444444")!
    static let events = [
        event(9, "consent.post.failed", run: runID, status: 500, error: "partner_center_5xx"),
        event(8, "consent.delete.succeeded", run: runID, status: 204),
        event(7, "run.created", customer: nil, run: runID),
        event(6, "customers.synced", customer: nil),
    ]

    static func run(_ id: UUID = runID, status: RunStatus, dryRun: Bool = false, total: Int = 2_000, scope: RunScope = .drift) -> RunRecord {
        RunRecord(
            id: id, action: .grant, scope: scope, grantSetVersion: 2, dryRun: dryRun, maxConcurrency: nil, status: status,
            requestedBy: "staff:alex", totalTasks: total, createdAt: daysAgo(0.1), startedAt: status == .queued ? nil : daysAgo(0.09),
            finishedAt: status == .completed ? daysAgo(0.01) : nil)
    }

    static let progress = RunProgress(
        run: run(status: .running), counts: ["pending": 1_150, "leased": 8, "succeeded": 812, "failed": 21, "blocked": 9],
        ratePerSecond: 4.2, etaSeconds: 275, failures: ["partner_center_5xx": 17, "consent_conflict": 4, "partner_must_reconsent": 9])

    static let coverage = ReportTable(
        name: "consent-coverage",
        columns: [
            "partner_id", "partner_name", "partner_status", "current_grant_set_version", "customers", "granted", "granted_current", "unknown",
            "granting", "failed", "missing", "blocked", "revoked", "percent_granted_current",
        ],
        rows: [
            [.text(contoso.id.uuidString.lowercased()), .text("Contoso Partners"), .text("active"), .integer(2), .integer(1_200), .integer(1_150),
             .integer(1_100), .integer(20), .integer(0), .integer(12), .integer(18), .integer(0), .integer(0), .decimal(91.7)],
            [.text(fabrikam.id.uuidString.lowercased()), .text("Fabrikam CSP"), .text("needs_reconsent"), .integer(2), .integer(800), .integer(700),
             .integer(650), .integer(10), .integer(0), .integer(0), .integer(0), .integer(90), .integer(0), .decimal(81.3)],
            [.text(northwind.id.uuidString.lowercased()), .text("Northwind Traders"), .text("pending_consent"), .integer(2), .integer(0), .integer(0),
             .integer(0), .integer(0), .integer(0), .integer(0), .integer(0), .integer(0), .integer(0), .null],
        ])

    static let grantSets = [
        GrantSet(
            version: 1, applicationID: ApplicationID("3f8a2c1e-9b7d-4e6f-a5c4-2d1b0e9f8a7c")!, displayName: "CPV Control Panel",
            grants: [ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All"])], createdBy: "system",
            createdAt: daysAgo(300)),
        GrantSet(
            version: 2, applicationID: ApplicationID("3f8a2c1e-9b7d-4e6f-a5c4-2d1b0e9f8a7c")!, displayName: "CPV Control Panel",
            grants: [
                ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All", "User.Read.All"]),
                ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"]),
            ], createdBy: "staff:alex", createdAt: daysAgo(10)),
    ]
}
