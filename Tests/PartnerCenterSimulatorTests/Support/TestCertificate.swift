import Crypto
import Foundation
import X509
import _CryptoExtras

/// A throwaway RSA certificate and the client assertions a CPV app would sign with it (reference §1.3).
struct TestCertificate: Sendable {
    let key: _RSA.Signing.PrivateKey
    let pem: String
    let der: [UInt8]

    static func make() throws -> TestCertificate {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("cpv-simulator-test") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption, extensions: .init(),
            issuerPrivateKey: .init(key)
        )
        let pem = try certificate.serializeAsPEM().pemString
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        return TestCertificate(key: key, pem: pem, der: Array(Data(base64Encoded: body) ?? Data()))
    }

    enum Algorithm { case rs256, ps256 }

    func assertion(clientId: String, audience: String, algorithm: Algorithm = .ps256, jti: String = UUID().uuidString,
                   expiresIn: TimeInterval = 120, issuer: String? = nil) throws -> String {
        let header: [String: String] = switch algorithm {
        case .rs256: ["alg": "RS256", "typ": "JWT", "x5t": Self.b64url(Array(Insecure.SHA1.hash(data: der)))]
        case .ps256: ["alg": "PS256", "typ": "JWT", "x5t#S256": Self.b64url(Array(SHA256.hash(data: der)))]
        }
        let now = Date().timeIntervalSince1970
        let claims: [String: Any] = [
            "aud": audience, "iss": issuer ?? clientId, "sub": clientId, "jti": jti,
            "nbf": Int(now), "exp": Int(now + expiresIn),
        ]
        let input = Self.b64url(Array(try JSONSerialization.data(withJSONObject: header))) + "." + Self.b64url(Array(try JSONSerialization.data(withJSONObject: claims)))
        let signature = try key.signature(for: Data(input.utf8), padding: algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5)
        return input + "." + Self.b64url(Array(signature.rawRepresentation))
    }

    static func b64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
