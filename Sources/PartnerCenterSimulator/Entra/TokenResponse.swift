import Foundation
import Hummingbird

/// The success body of the token endpoint: v1 writes numbers as strings, v2 as numbers (reference §1.4).
struct TokenResponse: Sendable {
    var version: EntraVersion
    var accessToken: String
    var expiresIn: Int
    var now: Date
    var resource: WellKnownResource
    var scope: String
    var refreshToken: String?
    var idToken: String?

    private struct V1: Encodable {
        var token_type = "Bearer"
        var scope: String
        var expires_in: String
        var ext_expires_in: String
        var expires_on: String
        var not_before: String
        var resource: String
        var access_token: String
        var refresh_token: String?
        var id_token: String?
    }

    private struct V2: Encodable {
        var token_type = "Bearer"
        var scope: String
        var expires_in: Int
        var ext_expires_in: Int
        var access_token: String
        var refresh_token: String?
        var id_token: String?
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store, no-cache"
        switch version {
        case .v1:
            let t = Int(now.timeIntervalSince1970)
            return HTTPResponses.json(V1(
                scope: scope, expires_in: "\(expiresIn)", ext_expires_in: "\(expiresIn)",
                expires_on: "\(t + expiresIn)", not_before: "\(t)", resource: resource.rawValue,
                access_token: accessToken, refresh_token: refreshToken, id_token: idToken
            ), headers: headers)
        case .v2:
            let prefixed = scope.split(separator: " ").map { "\(resource.rawValue)/\($0)" }.joined(separator: " ")
            return HTTPResponses.json(V2(
                scope: prefixed, expires_in: expiresIn, ext_expires_in: expiresIn,
                access_token: accessToken, refresh_token: refreshToken, id_token: idToken
            ), headers: headers)
        }
    }
}

/// Entra's two protocol generations, chosen by path (`/oauth2/token` vs `/oauth2/v2.0/token`).
enum EntraVersion: String, Sendable {
    case v1, v2
}
