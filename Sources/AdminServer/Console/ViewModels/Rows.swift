import ConsentDomain
import ConsentStore
import Foundation

/// One customer in a table.
struct CustomerRow: Sendable {
    let id: Int64
    let href: String
    let name: String
    let domain: String?
    let tenantID: String
    let partnerName: String?
    let state: Badge
    let grantSetVersion: String
    let lastSuccess: String
    let lastErrorCode: String?
    let removed: Bool

    init(_ customer: CustomerSummary, partnerName: String?) {
        id = customer.id
        href = "/console/customers/\(customer.id)"
        name = customer.companyName
        domain = customer.domain
        tenantID = ConsoleFormat.id(customer.tenantID)
        self.partnerName = partnerName
        state = Badge(customer.consentState)
        grantSetVersion = customer.grantSetVersion.map { "v\($0)" } ?? "—"
        lastSuccess = ConsoleFormat.time(customer.lastSuccessAt)
        lastErrorCode = customer.lastErrorCode
        removed = customer.removedAt != nil
    }
}

/// One partner in a table, with the health of its refresh token.
struct PartnerRow: Sendable {
    let id: String
    let href: String
    let name: String
    let tenantID: String
    let status: Badge
    let tokenHealth: String
    let tokenTone: String
    let customers: String
    let missing: String
    let hasMissing: Bool

    init(_ partner: Partner, customers: Int?, missing: Int?, now: Date) {
        id = ConsoleFormat.id(partner.id)
        href = "/console/partners/\(id)"
        name = partner.displayName
        tenantID = partner.tenantID.description
        status = Badge(partner.status.rawValue)
        let health = Self.tokenHealth(partner, now: now)
        tokenHealth = health.0
        tokenTone = health.1
        self.customers = customers.map(ConsoleFormat.count) ?? "—"
        self.missing = missing.map(ConsoleFormat.count) ?? "—"
        hasMissing = (missing ?? 0) > 0
    }

    /// "expires in 12 days" and its tone: under two weeks is a warning, expired or dead is red.
    static func tokenHealth(_ partner: Partner, now: Date) -> (String, String) {
        switch partner.status {
        case .pendingConsent: return ("no token yet", "tone-warn")
        case .needsReconsent: return ("dead: " + (partner.lastTokenErrorCode ?? "re-consent needed"), "tone-bad")
        case .disabled: return ("not used", "tone-neutral")
        case .active:
            guard let days = partner.daysUntilTokenExpiry(now: now) else { return ("unknown", "tone-warn") }
            if days < 0 { return ("expired", "tone-bad") }
            let text = days == 1 ? "expires in 1 day" : "expires in \(days) days"
            return (text, days < 14 ? "tone-warn" : "tone-good")
        }
    }
}

/// One run in a table or on the dashboard.
struct RunRow: Sendable {
    let id: String
    let shortID: String
    let href: String
    let action: String
    let isRevoke: Bool
    let scope: String
    let dryRun: Bool
    let status: Badge
    let total: String
    let finished: String
    let percent: Int
    let requestedBy: String
    let created: String

    init(_ run: RunRecord, finished: Int?, partnerNames: [UUID: String] = [:]) {
        id = ConsoleFormat.id(run.id)
        shortID = ConsoleFormat.shortID(run.id)
        href = "/console/runs/\(id)"
        action = run.action.rawValue
        isRevoke = run.action == .revoke
        scope = Self.describe(run.scope, partnerNames: partnerNames)
        dryRun = run.dryRun
        status = Badge(run.status.rawValue)
        total = ConsoleFormat.count(run.totalTasks)
        let done = finished ?? (run.status == .completed ? run.totalTasks : 0)
        self.finished = ConsoleFormat.count(done)
        percent = run.totalTasks > 0 ? min(100, done * 100 / run.totalTasks) : (run.status == .completed ? 100 : 0)
        requestedBy = run.requestedBy
        created = ConsoleFormat.time(run.createdAt)
    }

    static func describe(_ scope: RunScope, partnerNames: [UUID: String]) -> String {
        switch scope {
        case .all: "all customers"
        case .drift: "customers not on the newest grant set"
        case .partnerIDs(let ids):
            ids.count == 1 ? "partner " + (partnerNames[ids[0]] ?? ConsoleFormat.shortID(ids[0])) : "\(ids.count) partners"
        case .customerIDs(let ids): ids.count == 1 ? "customer \(ids[0])" : "\(ids.count) customers"
        case .states(let states): "customers " + states.map(\.rawValue).joined(separator: ", ")
        }
    }
}

/// One audit event in a table.
struct AuditRow: Sendable {
    let seq: Int64
    let time: String
    let actor: String
    let action: String
    let tone: String
    let partnerHref: String?
    let customerHref: String?
    let customerID: String?
    let runHref: String?
    let runShortID: String?
    let call: String?
    let responseStatus: String?
    let errorCode: String?
    let duration: String?

    init(_ event: AuditEventSummary) {
        seq = event.seq
        time = ConsoleFormat.time(event.occurredAt)
        actor = event.actor
        action = event.action
        tone = event.action.hasSuffix(".failed") || event.action.hasSuffix(".abandoned") ? "tone-bad" : (event.action.hasSuffix(".succeeded") ? "tone-good" : "tone-neutral")
        partnerHref = event.partnerID.map { "/console/partners/\(ConsoleFormat.id($0))" }
        customerHref = event.customerID.map { "/console/customers/\($0)" }
        customerID = event.customerID.map(String.init)
        runHref = event.runID.map { "/console/runs/\(ConsoleFormat.id($0))" }
        runShortID = event.runID.map(ConsoleFormat.shortID)
        call = event.httpMethod.map { method in method + " " + (event.urlPath ?? "") }
        responseStatus = event.responseStatus.map(String.init)
        errorCode = event.errorCode
        duration = event.durationMilliseconds.map { "\($0) ms" }
    }
}

/// An option of a `<select>`.
struct SelectOption: Sendable {
    let value: String
    let label: String
    let selected: Bool
}
