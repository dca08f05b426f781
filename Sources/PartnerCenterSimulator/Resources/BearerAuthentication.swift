import Foundation
import Hummingbird

/// Why a resource server refused a bearer token.
enum BearerFailure: Error, Sendable, Equatable {
    case missing, invalid, wrongAudience(String), expired

    var message: String {
        switch self {
        case .missing: "Authorization header with a Bearer token is required."
        case .invalid: "The access token is malformed or its signature is invalid."
        case .wrongAudience(let aud): "The access token audience '\(aud)' is not valid for this resource."
        case .expired: "The access token has expired."
        }
    }
}

extension SimulatorState {
    /// Verifies a token minted by this simulator for `audience` (signature, audience, expiry).
    nonisolated func verifyBearer(_ request: Request, audience: WellKnownResource) -> Result<AccessTokenClaims, BearerFailure> {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return .failure(.missing)
        }
        let token = String(header.dropFirst(7))
        let claims: AccessTokenClaims
        if let cached = verifiedTokens.claims(for: token) {
            claims = cached
        } else {
            guard let verified = signer.verify(token, as: AccessTokenClaims.self) else { return .failure(.invalid) }
            verifiedTokens.store(verified, for: token)
            claims = verified
        }
        guard WellKnownResource.match(claims.aud) == audience else { return .failure(.wrongAudience(claims.aud)) }
        guard Double(claims.exp) > clock.now().timeIntervalSince1970 else { return .failure(.expired) }
        return .success(claims)
    }
}
