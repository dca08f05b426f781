import Crypto
import Foundation

/// An OAuth 2.0 PKCE pair (RFC 7636) with the S256 method.
public struct PKCE: Sendable {
    /// 43 characters of base64url from 32 random bytes: the maximum entropy the RFC's minimum length allows.
    public let verifier: String
    public let challenge: String
    public let method = "S256"

    public init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(verifier: Base64URL.encode(bytes))
    }

    public init(verifier: String) {
        self.verifier = verifier
        self.challenge = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
    }
}

/// Random URL-safe tokens (OAuth `state`, request ids).
public enum RandomToken {
    /// `byteCount` random bytes as base64url; 32 bytes is 256 bits, well past guessing.
    public static func make(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
