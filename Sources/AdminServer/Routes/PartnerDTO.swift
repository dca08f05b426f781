import ConsentDomain
import Foundation

/// A partner as the admin API shows it. Never includes a token.
struct PartnerDTO: Encodable {
    let id: String
    let tenantId: String
    let displayName: String
    let cloud: String
    let status: String
    let statusReason: String?
    let consentedBy: String?
    let consentedAt: Date?
    let lastRedeemedAt: Date?
    /// Projected: last redemption (or consent) + 90 days.
    let tokenExpiresBy: Date?
    let daysUntilTokenExpiry: Int?
    let lastTokenError: String?
    let lastTokenErrorCode: String?
    /// Only in the answer to the registration: the first onboarding invitation's one-time link.
    let consentUrl: String?
    let createdAt: Date

    init(_ partner: Partner, consentURL: String? = nil, now: Date = Date()) {
        id = partner.id.guidText
        tenantId = partner.tenantID.description
        displayName = partner.displayName
        cloud = partner.cloud.rawValue
        status = partner.status.rawValue
        statusReason = partner.statusReason
        consentedBy = partner.consentedBy
        consentedAt = partner.consentedAt
        lastRedeemedAt = partner.lastRedeemedAt
        tokenExpiresBy = partner.tokenExpiresBy
        daysUntilTokenExpiry = partner.daysUntilTokenExpiry(now: now)
        lastTokenError = partner.lastTokenError
        lastTokenErrorCode = partner.lastTokenErrorCode
        consentUrl = consentURL
        createdAt = partner.createdAt
    }
}

/// A consent invitation as the admin API shows it; its link only in the answer that issued it.
struct InvitationDTO: Encodable {
    let id: Int64
    let partnerId: String
    let purpose: String
    let state: String
    let url: String?
    let createdBy: String
    let createdAt: Date
    let expiresAt: Date
    let usedAt: Date?
    let usedBy: String?
    let revokedAt: Date?
    let revokedBy: String?

    init(_ invitation: ConsentInvitation, url: Secret<String>? = nil, now: Date = Date()) {
        id = invitation.id
        partnerId = invitation.partnerID.guidText
        purpose = invitation.purpose.rawValue
        state = invitation.state(now: now).rawValue
        self.url = url?.revealed
        createdBy = invitation.createdBy
        createdAt = invitation.createdAt
        expiresAt = invitation.expiresAt
        usedAt = invitation.usedAt
        usedBy = invitation.usedBy
        revokedAt = invitation.revokedAt
        revokedBy = invitation.revokedBy
    }
}
