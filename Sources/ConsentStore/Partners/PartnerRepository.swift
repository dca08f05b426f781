import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Partners, their consent sign-ins and their sealed refresh tokens.
///
/// Every state change appends its audit event in the same transaction.
public struct PartnerRepository: Sendable {
    public let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    // MARK: Registration and reads

    /// Registers a partner in `pending_consent`. A tenant id can be registered once.
    public func register(_ partner: NewPartner, actor: String, logger: Logger) async throws -> Partner {
        try await Self.duplicateAware(partner) {
            try await client.inTransaction(logger: logger) { connection in
                try await register(partner, actor: actor, on: connection, logger: logger)
            }
        }
    }

    /// The same inside the caller's transaction (a registration together with its first invitation).
    func register(_ partner: NewPartner, actor: String, on connection: PostgresConnection, logger: Logger) async throws -> Partner {
        let rows = try await connection.query(
            """
            INSERT INTO partners (tenant_id, display_name, cloud)
            VALUES (\(partner.tenantID.uuid), \(partner.displayName), \(partner.cloud.rawValue))
            RETURNING \(unescaped: PartnerRow.columns)
            """, logger: logger)
        var inserted: Partner?
        for try await row in rows { inserted = try PartnerRow.partner(NamedRow(row)) }
        guard let created = inserted else { throw PartnerStoreError.notFound(UUID()) }
        try await audit.append(
            AuditRecord(
                actor: actor, action: "partner.registered", partnerID: created.id,
                details: AuditDetails.json(["tenantId": created.tenantID.description, "displayName": created.displayName, "cloud": created.cloud.rawValue])),
            on: connection, logger: logger)
        return created
    }

    /// A second registration of a tenant as `duplicateTenant` rather than the database's error.
    static func duplicateAware<T>(_ partner: NewPartner, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw PartnerStoreError.duplicateTenant(partner.tenantID)
        }
    }

    public func partner(id: UUID, logger: Logger) async throws -> Partner? {
        let rows = try await client.query(
            "SELECT \(unescaped: PartnerRow.columns) FROM partners WHERE id = \(id)", logger: logger)
        for try await row in rows { return try PartnerRow.partner(NamedRow(row)) }
        return nil
    }

    /// All partners, newest first (a CPV serves tens to hundreds of partners, not millions).
    public func allPartners(logger: Logger) async throws -> [Partner] {
        let rows = try await client.query(
            "SELECT \(unescaped: PartnerRow.columns) FROM partners ORDER BY created_at DESC, id", logger: logger)
        var partners: [Partner] = []
        for try await row in rows { partners.append(try PartnerRow.partner(NamedRow(row))) }
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
        for try await row in rows { partners.append(try PartnerRow.partner(NamedRow(row))) }
        return partners
    }

    // MARK: Tokens

    /// The sealed refresh token and the version it was written at.
    public func sealedToken(partnerID: UUID, logger: Logger) async throws -> (sealed: TokenSealer.Sealed, version: Int64)? {
        let rows = try await client.query(
            """
            SELECT refresh_token_sealed, key_id, token_version FROM partners
            WHERE id = \(partnerID) AND refresh_token_sealed IS NOT NULL
            """, logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            let bytes: Data = try cells("refresh_token_sealed")
            return (TokenSealer.Sealed(keyID: try cells("key_id"), combined: Array(bytes)), try cells("token_version"))
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
                    try await audit.append(
                        AuditRecord(
                            actor: actor, action: "partner.needs_reconsent", partnerID: partnerID, errorCode: code,
                            details: AuditDetails.json(["reason": reason.rawValue, "message": message])),
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
}
