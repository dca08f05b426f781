import Foundation
import Logging
import PostgresNIO

/// The rows of partners whose refresh token lives in Azure Key Vault (`CPV_TOKEN_STORE=keyvault`).
///
/// The token itself is never in PostgreSQL then; the row keeps `token_version`, which stays the
/// compare-and-set guard between processes, and `key_id = 'keyvault'` in place of a sealing key id.
extension PartnerRepository {
    /// The `key_id` of a partner whose refresh token is a Key Vault secret.
    public static let keyVaultKeyID = "keyvault"

    /// Where a partner's refresh token is kept right now.
    public enum TokenLocation: Sendable, Equatable {
        /// Not consented yet (or never stored).
        case none
        /// Sealed in `partners.refresh_token_sealed` (the database store, or a row from before a switch to Key Vault).
        case sealed(TokenSealer.Sealed, version: Int64)
        /// A Key Vault secret; the row holds only its version guard.
        case keyVault(version: Int64)
    }

    public func tokenLocation(partnerID: UUID, logger: Logger) async throws -> TokenLocation {
        let rows = try await client.query(
            "SELECT refresh_token_sealed, key_id, token_version FROM partners WHERE id = \(partnerID)", logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            let (bytes, keyID, version): (Data?, String?, Int64) = (
                try cells("refresh_token_sealed"), try cells("key_id"), try cells("token_version"))
            if keyID == Self.keyVaultKeyID { return .keyVault(version: version) }
            if let bytes, let keyID { return .sealed(TokenSealer.Sealed(keyID: keyID, combined: Array(bytes)), version: version) }
        }
        return .none
    }

    /// Claims the next token version for a rotation whose token goes to Key Vault: the same
    /// compare-and-set as `storeRotatedToken`, without a token. Returns false when another writer
    /// got there first (its token is then the current one).
    public func claimKeyVaultRotation(partnerID: UUID, expectedVersion: Int64, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE partners SET token_version = token_version + 1, last_redeemed_at = now(),
                last_token_error = NULL, last_token_error_code = NULL, updated_at = now()
            WHERE id = \(partnerID) AND token_version = \(expectedVersion)
            RETURNING token_version
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Drops the sealed copy of a token once its successor is safely in Key Vault: how a partner
    /// consented before the switch to `CPV_TOKEN_STORE=keyvault` moves over, on its first rotation.
    /// Only called after a successful write to the vault, so the partner is never left without a token.
    public func markTokenMovedToKeyVault(partnerID: UUID, logger: Logger) async throws {
        try await client.query(
            """
            UPDATE partners SET refresh_token_sealed = NULL, key_id = \(Self.keyVaultKeyID), updated_at = now()
            WHERE id = \(partnerID) AND key_id IS DISTINCT FROM \(Self.keyVaultKeyID)
            """, logger: logger)
    }
}
