import Crypto
import Foundation

/// Signs and verifies the simulator's own JWTs with HS256 and a key that lives as long as the process.
///
/// Real Entra signs RS256 with published keys; nothing in the product verifies signatures itself
/// (resource servers do), so a symmetric key keeps minting and checking cheap on the hot path.
struct TokenSigner: Sendable {
    private let key: SymmetricKey
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    init(key: SymmetricKey = SymmetricKey(size: .bits256)) { self.key = key }

    func sign(_ claims: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = Base64URL.encode(Array((try? encoder.encode(claims)) ?? Data("{}".utf8)))
        let input = "\(Self.header).\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: key)
        return "\(input).\(Base64URL.encode(Array(mac)))"
    }

    /// The claims when the signature is ours; nil for anything else (including tampered tokens).
    func verify<Claims: Decodable>(_ token: String, as: Claims.Type = Claims.self) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]) else { return nil }
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key),
              let payload = Base64URL.decode(parts[1])
        else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: Data(payload))
    }

    /// An HMAC over arbitrary bytes, used to make continuation tokens tamper-evident.
    func mac(_ bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }
}
