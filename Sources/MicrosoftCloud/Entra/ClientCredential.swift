import ConsentDomain
import Crypto
import Foundation
import _CryptoExtras

/// How the CPV application authenticates to Entra ID's token endpoint.
public enum ClientCredential: Sendable {
    /// A client secret, sent in the form body (the default) or as HTTP Basic (RFC 6749 §2.3.1).
    case secret(Secret<String>, style: SecretStyle)
    /// A certificate: each request carries a freshly signed client assertion (a JWT).
    case certificate(ClientCertificate)

    public enum SecretStyle: Sendable {
        case formBody
        case basicAuthorization
    }
}

/// The registered certificate and its private key, loaded from PEM files.
public struct ClientCertificate: Sendable {
    public enum Algorithm: String, Sendable {
        /// RSASSA-PSS with SHA-256 and the SHA-256 thumbprint in `x5t#S256`: current Microsoft guidance.
        case ps256 = "PS256"
        /// RSASSA-PKCS1-v1_5 with SHA-256 and the SHA-1 thumbprint in `x5t`: the older documented form.
        case rs256 = "RS256"
    }

    let privateKey: _RSA.Signing.PrivateKey
    let certificateDER: Data
    public let algorithm: Algorithm

    public init(certificatePEM: String, privateKeyPEM: String, algorithm: Algorithm) throws(CredentialError) {
        guard let der = Self.firstPEMBlock(in: certificatePEM, label: "CERTIFICATE") else {
            throw .unreadableCertificate
        }
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw .unreadablePrivateKey
        }
        certificateDER = der
        self.algorithm = algorithm
    }

    public init(certificatePath: String, privateKeyPath: String, algorithm: Algorithm) throws(CredentialError) {
        guard let certificate = FileManager.default.contents(atPath: certificatePath).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw .unreadableFile(certificatePath)
        }
        guard let key = FileManager.default.contents(atPath: privateKeyPath).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw .unreadableFile(privateKeyPath)
        }
        try self.init(certificatePEM: certificate, privateKeyPEM: key, algorithm: algorithm)
    }

    /// Signs a client assertion for `audience` (the token endpoint URL) valid for a few minutes.
    ///
    /// Claims per Microsoft's certificate-credentials doc: `aud`, `iss` = `sub` = client id, a fresh
    /// `jti`, `nbf` = `iat` = now, `exp` = now + 5 minutes. base64url without padding throughout.
    public func assertion(clientID: String, audience: String, now: Date = Date()) throws(CredentialError) -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        var header: [String: String] = ["alg": algorithm.rawValue, "typ": "JWT"]
        switch algorithm {
        case .ps256: header["x5t#S256"] = Base64URL.encode(SHA256.hash(data: certificateDER))
        case .rs256: header["x5t"] = Base64URL.encode(Insecure.SHA1.hash(data: certificateDER))
        }
        let claims: [String: JSONValue] = [
            "aud": .string(audience), "iss": .string(clientID), "sub": .string(clientID),
            "jti": .string(UUID().uuidString.lowercased()), "nbf": .number(issuedAt), "iat": .number(issuedAt),
            "exp": .number(issuedAt + 300),
        ]
        let signingInput = Base64URL.encode(JSONValue.canonical(header.mapValues { .string($0) }))
            + "." + Base64URL.encode(JSONValue.canonical(claims))
        do {
            let padding: _RSA.Signing.Padding = algorithm == .ps256 ? .PSS : .insecurePKCS1v1_5
            let signature = try privateKey.signature(for: Data(signingInput.utf8), padding: padding)
            return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
        } catch {
            throw .signingFailed
        }
    }

    static func firstPEMBlock(in pem: String, label: String) -> Data? {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = pem.range(of: begin), let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex) else {
            return nil
        }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }
}

/// Why a client credential could not be loaded or used. Never carries key material.
public enum CredentialError: Error, Equatable, CustomStringConvertible {
    case unreadableFile(String)
    case unreadableCertificate
    case unreadablePrivateKey
    case signingFailed

    public var description: String {
        switch self {
        case .unreadableFile(let path): return "cannot read \(path)"
        case .unreadableCertificate: return "no PEM CERTIFICATE block found in the certificate file"
        case .unreadablePrivateKey: return "the private key is not an RSA key in PEM (PKCS#1 or PKCS#8)"
        case .signingFailed: return "signing the client assertion failed"
        }
    }
}

/// The few JSON values a JWT needs, encoded with sorted keys so that output is stable.
enum JSONValue: Sendable {
    case string(String)
    case number(Int)

    static func canonical(_ object: [String: JSONValue]) -> Data {
        let body = object.sorted { $0.key < $1.key }.map { key, value -> String in
            let encodedKey = jsonString(key)
            switch value {
            case .string(let string): return encodedKey + ":" + jsonString(string)
            case .number(let number): return encodedKey + ":" + String(number)
            }
        }
        return Data(("{" + body.joined(separator: ",") + "}").utf8)
    }

    private static func jsonString(_ string: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(string)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
