import Crypto
import Foundation
import X509
import _CryptoExtras

/// Validates certificate client assertions (reference §1.3): RS256 + `x5t` or PS256 + `x5t#S256`,
/// signed by a certificate registered on the application, with `aud`, `iss`, `sub`, `exp`, `nbf` checked.
struct ClientAssertionValidator: Sendable {
    struct RegisteredCertificate: Sendable {
        var sha1Thumbprint: String
        var sha256Thumbprint: String
        var publicKey: _RSA.Signing.PublicKey
    }

    private struct Header: Decodable {
        var alg: String?
        var x5t: String?
        var x5tS256: String?
        enum CodingKeys: String, CodingKey {
            case alg, x5t
            case x5tS256 = "x5t#S256"
        }
    }

    private struct Claims: Decodable {
        var aud: String?
        var iss: String?
        var sub: String?
        var jti: String?
        var exp: Double?
        var nbf: Double?
    }

    struct Validated: Sendable {
        var jti: String
        var expiresAt: Date
    }

    let certificates: [RegisteredCertificate]

    init(pems: [String]) {
        certificates = pems.compactMap { pem in
            guard let der = Self.derBytes(pem), let cert = try? Certificate(derEncoded: der),
                  let key = _RSA.Signing.PublicKey(cert.publicKey)
            else { return nil }
            return RegisteredCertificate(
                sha1Thumbprint: Base64URL.encode(Array(Insecure.SHA1.hash(data: der))),
                sha256Thumbprint: Base64URL.encode(Array(SHA256.hash(data: der))),
                publicKey: key
            )
        }
    }

    /// The DER bytes inside a PEM `CERTIFICATE` block; thumbprints are hashes of exactly these bytes.
    static func derBytes(_ pem: String) -> [UInt8]? {
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: body).map(Array.init)
    }

    /// - Parameter audiences: every token-endpoint URL accepted as `aud` (canonical and simulator forms).
    func validate(_ assertion: String, clientId: String, audiences: Set<String>, now: Date) throws(AADSTSError) -> Validated {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes))
        else { throw AADSTSError(50027, "invalid_request", "JWT token is invalid or malformed.") }

        let certificate: RegisteredCertificate?
        let padding: _RSA.Signing.Padding
        switch header.alg {
        case "RS256":
            padding = .insecurePKCS1v1_5
            certificate = certificates.first { cert in
                header.x5t.map { $0.trimmingBase64Padding == cert.sha1Thumbprint } ?? header.x5tS256.map { $0.trimmingBase64Padding == cert.sha256Thumbprint } ?? false
            }
        case "PS256":
            padding = .PSS
            certificate = certificates.first { cert in
                header.x5tS256.map { $0.trimmingBase64Padding == cert.sha256Thumbprint } ?? header.x5t.map { $0.trimmingBase64Padding == cert.sha1Thumbprint } ?? false
            }
        default:
            throw AADSTSError.assertionInvalid("Unsupported alg '\(header.alg ?? "none")'; use RS256 or PS256.")
        }
        guard let certificate else {
            throw AADSTSError(700027, "invalid_client", "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '\(header.x5tS256 ?? header.x5t ?? "")']", status: .unauthorized)
        }
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        guard certificate.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: padding) else {
            throw AADSTSError.assertionInvalid("The signature does not verify with the registered certificate.")
        }
        guard claims.iss == clientId, claims.sub == clientId else {
            throw AADSTSError.assertionInvalid("The 'iss' and 'sub' claims must both equal the client id.")
        }
        guard let aud = claims.aud, audiences.contains(aud.lowercased()) else {
            throw AADSTSError(700021, "invalid_client", "Client assertion audience claim does not match Realm issuer. Audience '\(claims.aud ?? "")'.", status: .unauthorized)
        }
        guard let exp = claims.exp else { throw AADSTSError.assertionTime("The 'exp' claim is missing.") }
        let t = now.timeIntervalSince1970
        // Entra allows a few minutes of clock skew; the simulator allows 5.
        guard exp + 300 > t else { throw AADSTSError.assertionTime("The assertion has expired.") }
        if let nbf = claims.nbf, nbf - 300 > t { throw AADSTSError.assertionTime("The assertion is not yet valid (nbf).") }
        guard let jti = claims.jti, !jti.isEmpty else {
            throw AADSTSError.assertionInvalid("The 'jti' claim is missing.")
        }
        return Validated(jti: jti, expiresAt: Date(timeIntervalSince1970: exp + 300))
    }
}

private extension String {
    var trimmingBase64Padding: String {
        replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
