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
    let consentUrl: String
    let createdAt: Date

    init(_ partner: Partner, consentURL: String, now: Date = Date()) {
        id = partner.id.uuidString.lowercased()
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
