import ConsentDomain
import Crypto
import Foundation

/// What a key ring is for: its keys print as `<label>(<id>)` and a ring of one use cannot be
/// passed where another is expected.
public protocol KeyRingUse: Sendable {
    static var label: String { get }
}

/// Keys that seal refresh tokens (`CPV_SEALING_KEYS`).
public enum SealingKeys: KeyRingUse {
    public static let label = "SealingKey"
}

/// Named 256-bit keys parsed from `kid:base64key,...`, the first one current (it seals or signs);
/// the others stay usable for what they protect until it has been re-done under the current one.
///
/// The data keys that seal refresh tokens are `SealingKeyRing` (`cpv keys rotate` re-seals what
/// older keys protect, after which they can be dropped); the audit chain's are `AuditKeyRing`.
public struct KeyRing<Use: KeyRingUse>: Sendable {
    /// One key. Printing it shows only its id.
    public struct Key: Sendable, CustomStringConvertible, CustomReflectable {
        public let id: String
        let material: SymmetricKey

        public var description: String { "\(Use.label)(\(id))" }
        public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
    }

    public let keys: [Key]

    public var current: Key { keys[0] }

    public func key(id: String) -> Key? {
        keys.first { $0.id == id }
    }

    /// Parses `kid:base64key[,kid:base64key...]`; each key must decode to exactly 32 bytes.
    public init(parsing secret: Secret<String>) throws(SealingKeyError) {
        keys = try KeyRingEntries.parse(secret).map { Key(id: $0.id, material: $0.material) }
    }
}

public typealias SealingKeyRing = KeyRing<SealingKeys>

extension KeyRing {
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

/// The `kid:base64key[,kid:base64key...]` form shared by `CPV_SEALING_KEYS` and `CPV_AUDIT_KEYS`:
/// ids of 1-32 letters, digits, `-`, `_` or `.`, each key exactly 32 random bytes, ids unique.
enum KeyRingEntries {
    static func parse(_ secret: Secret<String>) throws(SealingKeyError) -> [(id: String, material: SymmetricKey)] {
        var keys: [(id: String, material: SymmetricKey)] = []
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
            keys.append((id, SymmetricKey(data: data)))
        }
        guard !keys.isEmpty else { throw .empty }
        return keys
    }
}
