import ConsentDomain
import ConsentStore
import Foundation

/// The dashboard: coverage, partners by status, customers without consent (first, in red),
/// runs in progress and the partners whose refresh token dies soonest.
struct DashboardPage: Sendable {
    struct Coverage: Sendable {
        let customers: String
        let grantedCurrent: String
        let percent: String
        let percentValue: Int
        let missing: String
        let hasMissing: Bool
        let failed: String
        let blocked: String
        let unknown: String
        let grantSetVersion: String
    }

    struct StatusCount: Sendable {
        let status: Badge
        let count: String
    }

    let chrome: ConsoleChrome
    let hasPartners: Bool
    let coverage: Coverage
    let partnerStatuses: [StatusCount]
    let missing: [CustomerRow]
    let moreMissing: Bool
    let activeRuns: [RunRow]
    let expiring: [PartnerRow]
    let hasMissingRows: Bool
    let hasActiveRuns: Bool
    let hasExpiring: Bool

    static let missingShown = 10
    static let expiringShown = 5

    /// - Parameters:
    ///   - coverage: the `consent-coverage` report (one row per partner).
    ///   - missing: up to `missingShown + 1` customers in state `missing` (one more tells whether there are more).
    ///   - activeRuns: queued, running and paused runs with their finished task counts.
    init(
        chrome: ConsoleChrome, partners: [Partner], coverage: ReportTable, missing: [CustomerSummary],
        activeRuns: [(RunRecord, Int)], now: Date
    ) {
        self.chrome = chrome
        hasPartners = !partners.isEmpty
        func total(_ column: String) -> Int {
            coverage.rows.indices.reduce(0) { sum, index in
                if case .integer(let value) = coverage.cell(column, row: index) { return sum + Int(value) }
                return sum
            }
        }
        let customers = total("customers"), current = total("granted_current"), missingCount = total("missing")
        var version = "—"
        if case .integer(let value) = coverage.cell("current_grant_set_version", row: 0) { version = "v\(value)" }
        let share = customers > 0 ? Double(current) * 100 / Double(customers) : 0
        self.coverage = Coverage(
            customers: ConsoleFormat.count(customers), grantedCurrent: ConsoleFormat.count(current), percent: ConsoleFormat.percent(share),
            percentValue: Int(share.rounded(.down)), missing: ConsoleFormat.count(missingCount), hasMissing: missingCount > 0,
            failed: ConsoleFormat.count(total("failed")), blocked: ConsoleFormat.count(total("blocked")),
            unknown: ConsoleFormat.count(total("unknown")), grantSetVersion: version)
        let names = Dictionary(partners.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        partnerStatuses = [PartnerStatus.needsReconsent, .pendingConsent, .active, .disabled].map { status in
            StatusCount(status: Badge(status.rawValue), count: ConsoleFormat.count(partners.filter { $0.status == status }.count))
        }
        self.missing = missing.prefix(Self.missingShown).map { CustomerRow($0, partnerName: names[$0.partnerID]) }
        moreMissing = missing.count > Self.missingShown
        self.activeRuns = activeRuns.map { RunRow($0.0, finished: $0.1, partnerNames: names) }
        // Dead tokens first, then the soonest to expire; partners without a token are not urgent here.
        expiring = partners.filter { $0.status == .needsReconsent || ($0.status == .active && $0.tokenExpiresBy != nil) }
            .sorted { lhs, rhs in
                if (lhs.status == .needsReconsent) != (rhs.status == .needsReconsent) { return lhs.status == .needsReconsent }
                return (lhs.tokenExpiresBy ?? .distantPast) < (rhs.tokenExpiresBy ?? .distantPast)
            }
            .prefix(Self.expiringShown).map { PartnerRow($0, customers: nil, missing: nil, now: now) }
        hasMissingRows = !self.missing.isEmpty
        hasActiveRuns = !self.activeRuns.isEmpty
        hasExpiring = !expiring.isEmpty
    }
}
