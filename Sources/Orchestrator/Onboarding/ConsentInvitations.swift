import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// Consent invitations as staff handle them, with who may do what decided here once for the API,
/// the console and the CLI: admins register partners (which issues the first onboarding
/// invitation); operators issue, list and revoke invitations; viewers list them.
public struct ConsentInvitations: Sendable {
    let invitations: ConsentInvitationRepository
    let onboarding: PartnerOnboarding
    /// How long an invitation lives unless its issuer says otherwise (`CPV_INVITATION_DAYS`).
    public let defaultLifetimeDays: Int

    /// The longest an invitation may live.
    public static let maximumLifetimeDays = 30

    public init(onboarding: PartnerOnboarding, defaultLifetimeDays: Int = 7) {
        self.onboarding = onboarding
        invitations = onboarding.invitations
        self.defaultLifetimeDays = defaultLifetimeDays
    }

    /// An invitation just issued, with its link: the only time the link exists.
    public struct Issued: Sendable {
        public let invitation: ConsentInvitation
        public let url: Secret<String>
    }

    public func register(_ partner: NewPartner, by staff: StaffMember, logger: Logger) async throws -> (Partner, Issued) {
        try staff.require(.admin)
        let (registered, invitation, secret) = try await invitations.registerPartner(
            partner, lifetime: lifetime(days: nil), actor: staff.actor, logger: logger)
        return (registered, Issued(invitation: invitation, url: onboarding.invitationURL(secret: secret)))
    }

    public func issue(partnerID: UUID, purpose: ConsentPurpose, lifetimeDays: Int?, by staff: StaffMember, logger: Logger) async throws -> Issued {
        try staff.require(.operator)
        let (invitation, secret) = try await invitations.issue(
            partnerID: partnerID, purpose: purpose, lifetime: try lifetime(days: lifetimeDays), actor: staff.actor, logger: logger)
        return Issued(invitation: invitation, url: onboarding.invitationURL(secret: secret))
    }

    public func list(partnerID: UUID, by staff: StaffMember, logger: Logger) async throws -> [ConsentInvitation] {
        try staff.require(.viewer)
        return try await invitations.invitations(partnerID: partnerID, logger: logger)
    }

    public func revoke(partnerID: UUID, invitationID: Int64, by staff: StaffMember, logger: Logger) async throws -> ConsentInvitation? {
        try staff.require(.operator)
        return try await invitations.revoke(partnerID: partnerID, invitationID: invitationID, actor: staff.actor, logger: logger)
    }

    func lifetime(days: Int?) throws(ConsentInvitationLifetimeError) -> TimeInterval {
        let days = days ?? defaultLifetimeDays
        guard (1...Self.maximumLifetimeDays).contains(days) else { throw ConsentInvitationLifetimeError() }
        return TimeInterval(days) * 86_400
    }

    /// Deletes expired sign-ins (`ConsentHousekeeping` runs it).
    public func purgeExpiredSignIns(logger: Logger) async throws -> Int {
        try await invitations.purgeExpiredConsentRequests(logger: logger)
    }
}

/// An invitation lifetime outside 1...`ConsentInvitations.maximumLifetimeDays` days.
public struct ConsentInvitationLifetimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String { "an invitation lives from 1 to \(ConsentInvitations.maximumLifetimeDays) days" }
}
