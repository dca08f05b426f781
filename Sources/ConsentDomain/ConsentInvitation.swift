import Foundation

/// What a consent invitation is for. An invitation only works while the partner is in a status
/// its purpose fits, so a link sent for onboarding can never replace the token of a partner that
/// has meanwhile consented, and a working token is replaced only through a re-consent invitation.
public enum ConsentPurpose: String, Sendable, Codable, CaseIterable {
    /// The first consent of a partner registered and `pending_consent`.
    case onboarding
    /// A new consent for a partner that has one (`active`, or `needs_reconsent` after its token died).
    case reconsent

    public func allows(_ status: PartnerStatus) -> Bool {
        switch self {
        case .onboarding: return status == .pendingConsent
        case .reconsent: return status == .active || status == .needsReconsent
        }
    }

    /// The purpose an invitation for a partner in `status` must have; nil for a disabled partner.
    public static func fitting(_ status: PartnerStatus) -> ConsentPurpose? {
        allCases.first { $0.allows(status) }
    }
}

/// A one-time consent link issued by staff: bound to one partner, expiring, stored only as the
/// hash of its secret, revocable, and used up by the first consent it records.
public struct ConsentInvitation: Sendable, Equatable, Identifiable {
    public enum State: String, Sendable, Codable {
        case open, used, revoked, expired
    }

    public let id: Int64
    public let partnerID: UUID
    public let purpose: ConsentPurpose
    public let createdBy: String
    public let createdAt: Date
    public let expiresAt: Date
    public let usedAt: Date?
    /// The partner admin whose consent used it.
    public let usedBy: String?
    public let revokedAt: Date?
    public let revokedBy: String?

    public init(
        id: Int64, partnerID: UUID, purpose: ConsentPurpose, createdBy: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil,
        usedBy: String? = nil, revokedAt: Date? = nil, revokedBy: String? = nil
    ) {
        self.id = id
        self.partnerID = partnerID
        self.purpose = purpose
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.usedBy = usedBy
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    public func state(now: Date = Date()) -> State {
        if usedAt != nil { return .used }
        if revokedAt != nil { return .revoked }
        return expiresAt <= now ? .expired : .open
    }
}
