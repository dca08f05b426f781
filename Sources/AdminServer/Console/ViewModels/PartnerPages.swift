import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator

/// The partner list with each partner's status, token health and customer counts.
struct PartnersPage: Sendable {
    let chrome: ConsoleChrome
    let partners: [PartnerRow]
    let isEmpty: Bool

    /// - Parameter counts: per partner id, (present customers, missing) from the coverage report.
    init(chrome: ConsoleChrome, partners: [Partner], counts: [UUID: (Int, Int)], now: Date) {
        self.chrome = chrome
        // Who needs someone first: dead tokens, then pending, then the rest by name.
        let order: [PartnerStatus: Int] = [.needsReconsent: 0, .pendingConsent: 1, .active: 2, .disabled: 3]
        self.partners = partners.sorted {
            (order[$0.status] ?? 9, $0.displayName.lowercased()) < (order[$1.status] ?? 9, $1.displayName.lowercased())
        }.map { PartnerRow($0, customers: counts[$0.id]?.0, missing: counts[$0.id]?.1, now: now) }
        isEmpty = partners.isEmpty
    }

    /// The coverage report's rows as (customers, missing) per partner.
    static func counts(_ coverage: ReportTable) -> [UUID: (Int, Int)] {
        var counts: [UUID: (Int, Int)] = [:]
        for index in coverage.rows.indices {
            guard case .text(let raw) = coverage.cell("partner_id", row: index), let id = UUID(uuidString: raw),
                case .integer(let customers) = coverage.cell("customers", row: index),
                case .integer(let missing) = coverage.cell("missing", row: index)
            else { continue }
            counts[id] = (Int(customers), Int(missing))
        }
        return counts
    }
}

/// One partner: its consent invitations, token health, verification, customers and recent audit events.
struct PartnerPage: Sendable {
    /// One invitation in the list, with its revoke button while it is open.
    struct InvitationRow: Sendable {
        let id: Int64
        let purpose: String
        let state: String
        let tone: String
        let createdBy: String
        let expires: String
        let usedBy: String
        let canRevoke: Bool
    }

    /// The link of the invitation just issued: on this one page, never again.
    struct NewInvitation: Sendable {
        let url: String
        let purpose: String
        let expires: String
    }

    struct Verification: Sendable {
        struct Step: Sendable {
            let name: String
            let ok: Bool
            let detail: String
        }
        let ok: Bool
        let steps: [Step]
        let checkedAt: String
    }

    let chrome: ConsoleChrome
    let partner: PartnerRow
    let cloud: String
    let invitations: [InvitationRow]
    let hasInvitations: Bool
    /// What an operator may issue now (nil for a disabled partner).
    let purposeToIssue: String?
    let newInvitation: NewInvitation?
    let consentedBy: String
    let consentedAt: String
    let lastRedeemed: String
    let tokenExpiresBy: String
    let lastTokenError: String?
    let statusReason: String?
    let created: String
    let canSync: Bool
    let verification: Verification?
    let customers: [CustomerRow]
    let hasCustomers: Bool
    let moreCustomersHref: String
    let events: [AuditRow]
    let hasEvents: Bool

    init(
        chrome: ConsoleChrome, partner: Partner, invitations: [ConsentInvitation], newInvitation: ConsentInvitations.Issued? = nil,
        customers: [CustomerSummary], events: [AuditEventSummary], verification: PartnerVerifier.Report? = nil, now: Date
    ) {
        self.chrome = chrome
        self.partner = PartnerRow(partner, customers: nil, missing: nil, now: now)
        cloud = partner.cloud.rawValue
        self.invitations = invitations.map { invitation in
            let state = invitation.state(now: now)
            return InvitationRow(
                id: invitation.id, purpose: invitation.purpose.rawValue, state: state.rawValue,
                tone: state == .open ? "tone-good" : state == .used ? "" : "tone-muted", createdBy: invitation.createdBy,
                expires: ConsoleFormat.time(invitation.expiresAt), usedBy: invitation.usedBy ?? "—", canRevoke: chrome.canOperate && state == .open)
        }
        hasInvitations = !invitations.isEmpty
        purposeToIssue = chrome.canOperate ? ConsentPurpose.fitting(partner.status)?.rawValue : nil
        self.newInvitation = newInvitation.map {
            NewInvitation(url: $0.url.revealed, purpose: $0.invitation.purpose.rawValue, expires: ConsoleFormat.time($0.invitation.expiresAt))
        }
        consentedBy = partner.consentedBy ?? "—"
        consentedAt = ConsoleFormat.time(partner.consentedAt)
        lastRedeemed = ConsoleFormat.time(partner.lastRedeemedAt)
        tokenExpiresBy = ConsoleFormat.time(partner.tokenExpiresBy)
        lastTokenError = partner.lastTokenError.map { error in partner.lastTokenErrorCode.map { "\($0): \(error)" } ?? error }
        statusReason = partner.statusReason
        created = ConsoleFormat.time(partner.createdAt)
        canSync = partner.status == .active
        self.verification = verification.map { report in
            Verification(
                ok: report.ok, steps: report.steps.map { .init(name: $0.name.replacingOccurrences(of: "_", with: " "), ok: $0.ok, detail: $0.detail) },
                checkedAt: ConsoleFormat.time(report.checkedAt))
        }
        self.customers = customers.map { CustomerRow($0, partnerName: nil) }
        hasCustomers = !customers.isEmpty
        moreCustomersHref = "/console/customers?partner=\(ConsoleFormat.id(partner.id))"
        self.events = events.map(AuditRow.init)
        hasEvents = !events.isEmpty
    }
}

/// The "add partner" form, with the values and the error of a refused attempt.
struct NewPartnerPage: Sendable {
    let chrome: ConsoleChrome
    let tenantID: String
    let displayName: String
    let clouds: [SelectOption]
    let error: String?

    init(chrome: ConsoleChrome, tenantID: String = "", displayName: String = "", cloud: String = "global", error: String? = nil) {
        self.chrome = chrome
        self.tenantID = tenantID
        self.displayName = displayName
        clouds = Cloud.allCases.map { SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == cloud) }
        self.error = error
    }
}
