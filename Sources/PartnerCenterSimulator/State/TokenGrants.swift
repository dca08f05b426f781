import Foundation

/// An issued authorization code, spent by its first redemption attempt.
struct AuthorizationCodeGrant: Sendable {
    var clientId: String
    var redirectURI: String
    var codeChallenge: String?
    var codeChallengeMethod: String?
    var userObjectId: String
    var scopes: [String]
    var resource: String?
    var nonce: String?
    var expiresAt: Date
    var redeemed = false
}

/// A refresh token: bound to user + client, not to a tenant or resource (reference §1.2).
struct RefreshTokenGrant: Sendable {
    var clientId: String
    var userObjectId: String
    var partnerTenantId: String
    var didMFA: Bool
    var issuedAt: Date
}

/// A stored answer to a Partner Center write, replayed for a retry with the same MS-RequestId.
struct StoredResponse: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
}

/// A Key Vault secret version.
struct SecretVersion: Sendable {
    var version: String
    var value: String
    var contentType: String?
    var tags: [String: String]?
    var created: Date
}
