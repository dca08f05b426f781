import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Partners, their consent sign-ins and their sealed refresh tokens.
///
/// Every state change appends its audit event in the same transaction.
public struct PartnerRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    // MARK: Registration and reads

    /// Registers a partner in `pending_consent`. A tenant id can be registered once.
    public func register(_ partner: NewPartner, actor: String, logger: Logger) async throws -> Partner {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO partners (tenant_id, display_name, cloud)
                    VALUES (\(partner.tenantID.uuid), \(partner.displayName), \(partner.cloud.rawValue))
                    RETURNING \(unescaped: PartnerRow.columns)
                    """, logger: logger)
                var inserted: Partner?
                for try await row in rows.decode(PartnerRow.Tuple.self) { inserted = try PartnerRow.partner(row) }
                guard let created = inserted else { throw PartnerStoreError.notFound(UUID()) }
                try await AuditWriter.append(
                    AuditRecord(
                        actor: actor, action: "partner.registered", partnerID: created.id,
                        details: Self.json(["tenantId": created.tenantID.description, "displayName": created.displayName, "cloud": created.cloud.rawValue])),
                    on: connection, logger: logger)
                return created
            }
        } catch let error as PostgresTransactionError {
            if let psql = error.closureError as? PSQLError, psql.serverInfo?[.sqlState] == "23505" {
                throw PartnerStoreError.duplicateTenant(partner.tenantID)
            }
            throw error
        }
    }

    public func partner(id: UUID, logger: Logger) async throws -> Partner? {
        let rows = try await client.query(
            "SELECT \(unescaped: PartnerRow.columns) FROM partners WHERE id = \(id)", logger: logger)
        for try await row in rows.decode(PartnerRow.Tuple.self) { return try PartnerRow.partner(row) }
        return nil
    }

    /// All partners, newest first (a CPV serves tens to hundreds of partners, not millions).
    public func allPartners(logger: Logger) async throws -> [Partner] {
        let rows = try await client.query(
            "SELECT \(unescaped: PartnerRow.columns) FROM partners ORDER BY created_at DESC, id", logger: logger)
        var partners: [Partner] = []
        for try await row in rows.decode(PartnerRow.Tuple.self) { partners.append(try PartnerRow.partner(row)) }
        return partners
    }

    /// Active partners whose token was last redeemed before `cutoff` (or never): the keeper's work list.
    public func activePartnersRedeemedBefore(_ cutoff: Date, logger: Logger) async throws -> [Partner] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: PartnerRow.columns) FROM partners
            WHERE status = 'active' AND (refresh_token_sealed IS NOT NULL OR key_id = \(Self.keyVaultKeyID))
              AND coalesce(last_redeemed_at, consented_at, created_at) < \(cutoff)
            ORDER BY coalesce(last_redeemed_at, consented_at, created_at)
            """, logger: logger)
        var partners: [Partner] = []
        for try await row in rows.decode(PartnerRow.Tuple.self) { partners.append(try PartnerRow.partner(row)) }
        return partners
    }

    // MARK: Consent sign-in

    /// Remembers a started consent sign-in: the hash of its `state` and its PKCE verifier.
    public func startConsent(partnerID: UUID, stateHash: [UInt8], codeVerifier: String, expiresAt: Date, logger: Logger) async throws {
        try await client.query(
            """
            INSERT INTO consent_requests (state_hash, partner_id, code_verifier, expires_at)
            VALUES (\(Data(stateHash)), \(partnerID), \(codeVerifier), \(expiresAt))
            """, logger: logger)
    }

    /// Takes a consent sign-in by its state hash, at most once and only before it expires.
    public func takeConsent(stateHash: [UInt8], logger: Logger) async throws -> (partnerID: UUID, codeVerifier: String)? {
        let rows = try await client.query(
            """
            UPDATE consent_requests SET used_at = now()
            WHERE state_hash = \(Data(stateHash)) AND used_at IS NULL AND expires_at > now()
            RETURNING partner_id, code_verifier
            """, logger: logger)
        for try await (partnerID, verifier) in rows.decode((UUID, String).self) { return (partnerID, verifier) }
        return nil
    }

    /// Stores the refresh token of a completed consent and makes the partner `active`.
    public func completeConsent(
        partnerID: UUID, sealed: TokenSealer.Sealed, consentedBy: String, actor: String, details: [String: String], logger: Logger
    ) async throws {
        try await completeConsent(
            partnerID: partnerID, sealedBytes: Data(sealed.combined), keyID: sealed.keyID, consentedBy: consentedBy, actor: actor,
            details: details, logger: logger)
    }

    /// Makes the partner `active` after a consent whose refresh token lives outside the database
    /// (Key Vault): the row keeps only the version guard and `key_id = 'keyvault'`.
    public func completeConsentWithTokenInKeyVault(
        partnerID: UUID, consentedBy: String, actor: String, details: [String: String], logger: Logger
    ) async throws {
        try await completeConsent(
            partnerID: partnerID, sealedBytes: nil, keyID: Self.keyVaultKeyID, consentedBy: consentedBy, actor: actor,
            details: details, logger: logger)
    }

    private func completeConsent(
        partnerID: UUID, sealedBytes: Data?, keyID: String, consentedBy: String, actor: String, details: [String: String],
        logger: Logger
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE partners SET refresh_token_sealed = \(sealedBytes), key_id = \(keyID),
                    token_version = token_version + 1, status = 'active', status_reason = NULL,
                    consented_by = \(consentedBy), consented_at = now(), last_redeemed_at = now(),
                    last_token_error = NULL, last_token_error_code = NULL, updated_at = now()
                WHERE id = \(partnerID)
                """, logger: logger)
            try await AuditWriter.append(
                AuditRecord(actor: actor, action: "partner.consented", partnerID: partnerID, details: Self.json(details)),
                on: connection, logger: logger)
        }
    }

    // MARK: Tokens

    /// The sealed refresh token and the version it was written at.
    public func sealedToken(partnerID: UUID, logger: Logger) async throws -> (sealed: TokenSealer.Sealed, version: Int64)? {
        let rows = try await client.query(
            """
            SELECT refresh_token_sealed, key_id, token_version FROM partners
            WHERE id = \(partnerID) AND refresh_token_sealed IS NOT NULL
            """, logger: logger)
        for try await (bytes, keyID, version) in rows.decode((Data, String, Int64).self) {
            return (TokenSealer.Sealed(keyID: keyID, combined: Array(bytes)), version)
        }
        return nil
    }

    /// Writes a rotated refresh token only over the version it was redeemed from (compare-and-set),
    /// so a slower process never overwrites a newer token with an older one. Returns false when
    /// another writer got there first; that writer's token is then the current one.
    public func storeRotatedToken(partnerID: UUID, expectedVersion: Int64, sealed: TokenSealer.Sealed, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE partners SET refresh_token_sealed = \(Data(sealed.combined)), key_id = \(sealed.keyID),
                token_version = token_version + 1, last_redeemed_at = now(),
                last_token_error = NULL, last_token_error_code = NULL, updated_at = now()
            WHERE id = \(partnerID) AND token_version = \(expectedVersion)
            RETURNING token_version
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Records a failed redemption. A dead token flips the partner to `needs_reconsent` (with the
    /// reason) and appends `partner.needs_reconsent`; a transient one is only recorded.
    public func recordTokenFailure(
        partnerID: UUID, reason: TokenFailureReason, code: String, message: String, actor: String, logger: Logger
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            if reason.requiresPartnerReconsent {
                let rows = try await connection.query(
                    """
                    UPDATE partners SET status = 'needs_reconsent', status_reason = \(reason.rawValue),
                        last_token_error = \(message), last_token_error_code = \(code), updated_at = now()
                    WHERE id = \(partnerID) AND status = 'active'
                    RETURNING id
                    """, logger: logger)
                var flipped = false
                for try await _ in rows { flipped = true }
                if flipped {
                    try await AuditWriter.append(
                        AuditRecord(
                            actor: actor, action: "partner.needs_reconsent", partnerID: partnerID, errorCode: code,
                            details: Self.json(["reason": reason.rawValue, "message": message])),
                        on: connection, logger: logger)
                }
            } else {
                try await connection.query(
                    """
                    UPDATE partners SET last_token_error = \(message), last_token_error_code = \(code), updated_at = now()
                    WHERE id = \(partnerID)
                    """, logger: logger)
            }
        }
    }

    /// Partners whose token is sealed under another key than `currentKeyID`, a page at a time,
    /// for `cpv keys rotate` (resumable: each page is re-read, so a restart continues where it stopped).
    public func partnerIDsSealedWithOtherKey(than currentKeyID: String, limit: Int, logger: Logger) async throws -> [UUID] {
        let rows = try await client.query(
            """
            SELECT id FROM partners WHERE refresh_token_sealed IS NOT NULL AND key_id <> \(currentKeyID)
            ORDER BY id LIMIT \(limit)
            """, logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Re-seals one token under the current key, guarded by its version like any rotation.
    public func reseal(partnerID: UUID, expectedVersion: Int64, sealed: TokenSealer.Sealed, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE partners SET refresh_token_sealed = \(Data(sealed.combined)), key_id = \(sealed.keyID),
                token_version = token_version + 1, updated_at = now()
            WHERE id = \(partnerID) AND token_version = \(expectedVersion)
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public static func json(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
