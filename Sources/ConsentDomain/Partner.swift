import Foundation

/// A partner's lifecycle, as stored in `partners.status`.
public enum PartnerStatus: String, Sendable, Codable, CaseIterable {
    /// Registered; no admin has completed the consent sign-in yet.
    case pendingConsent = "pending_consent"
    /// A usable refresh token is stored.
    case active
    /// The stored token is dead (expired, revoked, MFA or Conditional Access): an admin must sign in again.
    case needsReconsent = "needs_reconsent"
    /// Switched off by staff: no calls are made for it.
    case disabled
}

/// A CSP partner tenant whose customers we grant consent in. The sealed token is not part of the
/// domain value: it stays in the store and never travels with the partner.
public struct Partner: Sendable, Equatable, Codable, Identifiable {
    /// Refresh tokens die after this long without use (Entra's `MaxInactiveTime`, AADSTS700082).
    public static let tokenInactivityLifetime: TimeInterval = 90 * 24 * 60 * 60

    public var id: UUID
    public var tenantID: TenantID
    public var displayName: String
    public var cloud: Cloud
    public var status: PartnerStatus
    public var statusReason: String?
    public var consentedBy: String?
    public var consentedAt: Date?
    public var tokenVersion: Int64
    public var lastRedeemedAt: Date?
    public var lastTokenError: String?
    public var lastTokenErrorCode: String?
    public var createdAt: Date

    public init(
        id: UUID, tenantID: TenantID, displayName: String, cloud: Cloud, status: PartnerStatus,
        statusReason: String? = nil, consentedBy: String? = nil, consentedAt: Date? = nil,
        tokenVersion: Int64 = 0, lastRedeemedAt: Date? = nil, lastTokenError: String? = nil,
        lastTokenErrorCode: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.displayName = displayName
        self.cloud = cloud
        self.status = status
        self.statusReason = statusReason
        self.consentedBy = consentedBy
        self.consentedAt = consentedAt
        self.tokenVersion = tokenVersion
        self.lastRedeemedAt = lastRedeemedAt
        self.lastTokenError = lastTokenError
        self.lastTokenErrorCode = lastTokenErrorCode
        self.createdAt = createdAt
    }

    /// When the stored refresh token dies if nobody redeems it: 90 days after its last use (every
    /// redemption yields a fresh token), or after the consent if it was never redeemed. Nil without
    /// a consent.
    public var tokenExpiresBy: Date? {
        guard let lastUse = lastRedeemedAt ?? consentedAt else { return nil }
        return lastUse.addingTimeInterval(Self.tokenInactivityLifetime)
    }

    /// Whole days left before `tokenExpiresBy` (rounded down; negative once expired). Nil without a consent.
    public func daysUntilTokenExpiry(now: Date) -> Int? {
        guard let expiry = tokenExpiresBy else { return nil }
        return Int((expiry.timeIntervalSince(now) / 86_400).rounded(.down))
    }
}
