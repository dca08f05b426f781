import ConsentDomain
import Crypto
import Foundation

/// The data keys that seal refresh tokens, parsed from `CPV_SEALING_KEYS` (`kid:base64key,...`).
///
/// The first key is current: new tokens are sealed with it. The others stay readable so that
/// `cpv keys rotate` can re-seal what they protect, after which they can be dropped.
public struct SealingKeyRing: Sendable {
    /// One data key. Printing it shows only its id.
    public struct Key: Sendable, CustomStringConvertible, CustomReflectable {
        public let id: String
        let material: SymmetricKey

        public var description: String { "SealingKey(\(id))" }
        public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
    }

    public let keys: [Key]

    public var current: Key { keys[0] }

    public func key(id: String) -> Key? {
        keys.first { $0.id == id }
    }

    /// Parses `kid:base64key[,kid:base64key...]`; each key must decode to exactly 32 bytes (AES-256).
    public init(parsing secret: Secret<String>) throws(SealingKeyError) {
        var keys: [Key] = []
        for entry in secret.revealed.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw .malformedEntry(position: keys.count + 1) }
            let id = String(parts[0])
            guard (1...32).contains(id.count),
                id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            else {
                throw .badKeyID(position: keys.count + 1)
            }
            guard let data = Data(base64Encoded: String(parts[1])), data.count == 32 else {
                throw .badKeyMaterial(id: id)
            }
            guard !keys.contains(where: { $0.id == id }) else { throw .duplicateKeyID(id) }
            keys.append(Key(id: id, material: SymmetricKey(data: data)))
        }
        guard !keys.isEmpty else { throw .empty }
        self.keys = keys
    }

    /// A fresh random key in the `kid:base64` form, for `cpv keys generate` and the demo.
    public static func generateEntry(id: String) -> Secret<String> {
        let key = SymmetricKey(size: .bits256)
        let base64 = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return Secret("\(id):\(base64)")
    }
}

/// Why `CPV_SEALING_KEYS` was refused. Never includes key material.
public enum SealingKeyError: Error, Equatable, CustomStringConvertible {
    case empty
    case malformedEntry(position: Int)
    case badKeyID(position: Int)
    case badKeyMaterial(id: String)
    case duplicateKeyID(String)

    public var description: String {
        switch self {
        case .empty:
            return "no keys given (expected kid:base64key[,kid:base64key...])"
        case .malformedEntry(let position):
            return "entry \(position) is not of the form kid:base64key"
        case .badKeyID(let position):
            return "entry \(position) has a bad key id (1-32 characters: letters, digits, - _ .)"
        case .badKeyMaterial(let id):
            return "key \(id) is not base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`)"
        case .duplicateKeyID(let id):
            return "key id \(id) appears twice"
        }
    }
}
