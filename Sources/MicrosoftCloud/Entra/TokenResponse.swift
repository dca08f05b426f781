import ConsentDomain
import Foundation

/// A successful answer of Entra ID's token endpoint, v1 or v2 (partner-center-api.md §1.4).
///
/// Tolerant by design: `expires_in` arrives as a number (v2) or a string (v1), unknown fields are
/// ignored, and `expires_on` is epoch seconds (not ticks, the bug in Microsoft's own sample).
public struct TokenResponse: Sendable {
    public let accessToken: Secret<String>
    /// Present for authorization_code and refresh_token grants; each one replaces the previous.
    public let refreshToken: Secret<String>?
    public let idToken: String?
    public let expiresIn: Int
    public let scope: String?
    public let resource: String?

    /// The claims of the id_token, when one was returned. Read without verifying the signature:
    /// the token came straight from the token endpoint over TLS (OpenID Connect Core §3.1.3.7).
    public var idTokenClaims: IDTokenClaims? {
        idToken.flatMap(IDTokenClaims.init(jwt:))
    }

    static func decode(_ data: Data) -> TokenResponse? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let accessToken = object["access_token"] as? String, !accessToken.isEmpty
        else { return nil }
        let expiresIn: Int
        switch object["expires_in"] {
        case let number as NSNumber: expiresIn = number.intValue
        case let string as String: expiresIn = Int(string) ?? 3599
        default: expiresIn = 3599
        }
        return TokenResponse(
            accessToken: Secret(accessToken),
            refreshToken: (object["refresh_token"] as? String).map(Secret.init),
            idToken: object["id_token"] as? String,
            expiresIn: expiresIn,
            scope: object["scope"] as? String,
            resource: object["resource"] as? String)
    }
}

/// The claims of an id_token (or access token) that the consent flow relies on.
public struct IDTokenClaims: Sendable, Equatable {
    /// The tenant of the signed-in user: must be the partner's tenant.
    public let tenantID: String?
    public let objectID: String?
    public let userPrincipalName: String?
    /// Authentication methods; contains `mfa` when the user passed multi-factor authentication.
    public let authenticationMethods: [String]
    /// `wids`: the user's directory role template ids, when the application registration asks for
    /// them (groups claim "Directory roles"); nil when absent.
    public let directoryRoles: [String]?
    /// `idp`: the issuer that authenticated the user when it is not the token's tenant (a guest).
    public let identityProvider: String?

    public init?(jwt: String) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let payload = Base64URL.decode(String(parts[1])),
            let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        tenantID = (object["tid"] as? String)?.lowercased()
        objectID = object["oid"] as? String
        userPrincipalName = (object["upn"] as? String) ?? (object["preferred_username"] as? String) ?? (object["unique_name"] as? String)
        authenticationMethods = object["amr"] as? [String] ?? []
        directoryRoles = object["wids"] as? [String]
        identityProvider = object["idp"] as? String
    }
}
