import ConsentDomain
import Crypto
import Foundation

/// Seals partner refresh tokens with AES-256-GCM before they reach the database.
///
/// The associated data binds a ciphertext to its partner and key id: a sealed token copied onto
/// another partner's row, or relabelled with another key id, fails to open instead of being used
/// for the wrong partner. The stored form is `nonce (12) || ciphertext || tag (16)`.
public struct TokenSealer: Sendable {
    public let keys: SealingKeyRing

    public init(keys: SealingKeyRing) {
        self.keys = keys
    }

    /// A sealed refresh token as stored in `partners.refresh_token_sealed` / `partners.key_id`.
    public struct Sealed: Sendable, Equatable {
        public let keyID: String
        public let combined: [UInt8]

        public init(keyID: String, combined: [UInt8]) {
            self.keyID = keyID
            self.combined = combined
        }
    }

    /// Seals under the current key.
    public func seal(_ token: Secret<String>, partnerID: UUID) throws(SealingError) -> Sealed {
        let key = keys.current
        do {
            let box = try AES.GCM.seal(
                Data(token.revealed.utf8), using: key.material, nonce: AES.GCM.Nonce(),
                authenticating: Self.associatedData(partnerID: partnerID, keyID: key.id))
            guard let combined = box.combined else { throw SealingError.sealFailed }
            return Sealed(keyID: key.id, combined: Array(combined))
        } catch {
            throw .sealFailed
        }
    }

    /// Opens a sealed token with the key it names. Fails when the key is no longer configured or
    /// the ciphertext, its partner or its key id was tampered with.
    public func open(_ sealed: Sealed, partnerID: UUID) throws(SealingError) -> Secret<String> {
        guard let key = keys.key(id: sealed.keyID) else { throw .unknownKey(sealed.keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.combined)
            let plaintext = try AES.GCM.open(
                box, using: key.material, authenticating: Self.associatedData(partnerID: partnerID, keyID: key.id))
            guard let token = String(data: plaintext, encoding: .utf8) else { throw SealingError.openFailed }
            return Secret(token)
        } catch {
            throw .openFailed
        }
    }

    static func associatedData(partnerID: UUID, keyID: String) -> Data {
        Data("cpv.refresh-token.v1|partner=\(partnerID.guidText)|key=\(keyID)".utf8)
    }
}

/// Why a token could not be sealed or opened. Never carries token or key material.
public enum SealingError: Error, Equatable, CustomStringConvertible {
    case sealFailed
    case openFailed
    case unknownKey(String)

    public var description: String {
        switch self {
        case .sealFailed: return "sealing the refresh token failed"
        case .openFailed: return "the sealed refresh token does not open with its key (tampered, or sealed for another partner)"
        case .unknownKey(let id): return "the refresh token is sealed with key \(id), which is not in CPV_SEALING_KEYS any more"
        }
    }
}
