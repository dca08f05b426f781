import Foundation

/// Claims of the JWTs the simulator mints; resource servers read them back after verification.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public var aud: String
    public var iss: String
    public var iat: Int
    public var nbf: Int
    public var exp: Int
    public var tid: String
    public var appid: String?
    public var azp: String?
    public var oid: String?
    public var sub: String?
    public var upn: String?
    public var preferred_username: String?
    public var name: String?
    /// Space-separated delegated scopes; absent for app-only tokens.
    public var scp: String?
    public var roles: [String]?
    /// `app` on app-only tokens.
    public var idtyp: String?
    public var amr: [String]?
    public var ver: String
    /// The home tenant's issuer when the token is for a tenant other than the user's (GDAP-style access).
    public var idp: String?
    public var nonce: String?
    public var uti: String?
    /// Directory role template ids, in id tokens of applications whose `groupMembershipClaims` ask for them.
    public var wids: [String]?

    public var isAppOnly: Bool { idtyp == "app" || scp == nil }
    public var didMFA: Bool { amr?.contains("mfa") ?? false }
}
