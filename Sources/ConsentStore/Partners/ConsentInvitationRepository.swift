import ConsentDomain
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Consent invitations (migration 0013) and the sign-ins started from them (`consent_requests`).
/// Who may issue and revoke is `ConsentInvitations`' rule; the store keeps the invariants: an
/// invitation is issued only for a partner whose status fits its purpose (checked under the
/// partner's row lock), only its secret's hash is kept, and events are audited in the same transaction.
public struct ConsentInvitationRepository: Sendable {
    let partners: PartnerRepository

    public init(partners: PartnerRepository) {
        self.partners = partners
    }

    var client: PostgresClient { partners.client }

    static let columns = ColumnList(
        "id", "partner_id", "purpose", "created_by", "created_at", "expires_at", "used_at", "used_by", "revoked_at",
        "revoked_by"
    ).sql

    public func issue(
        partnerID: UUID, purpose: ConsentPurpose, lifetime: TimeInterval, actor: String, logger: Logger
    ) async throws -> (ConsentInvitation, Secret<String>) {
        try await client.inTransaction(logger: logger) { connection in
            try await issue(partnerID: partnerID, purpose: purpose, lifetime: lifetime, actor: actor, on: connection, logger: logger)
        }
    }

    /// Registers a partner and issues its first (onboarding) invitation in one transaction.
    public func registerPartner(
        _ partner: NewPartner, lifetime: TimeInterval, actor: String, logger: Logger
    ) async throws -> (Partner, ConsentInvitation, Secret<String>) {
        try await PartnerRepository.duplicateAware(partner) {
            try await client.inTransaction(logger: logger) { connection in
                let registered = try await partners.register(partner, actor: actor, on: connection, logger: logger)
                let (invitation, secret) = try await issue(
                    partnerID: registered.id, purpose: .onboarding, lifetime: lifetime, actor: actor, on: connection, logger: logger)
                return (registered, invitation, secret)
            }
        }
    }

    private func issue(
        partnerID: UUID, purpose: ConsentPurpose, lifetime: TimeInterval, actor: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> (ConsentInvitation, Secret<String>) {
        var status: PartnerStatus?
        for try await raw in try await connection.query(
            "SELECT status FROM partners WHERE id = \(partnerID) FOR UPDATE", logger: logger
        ).decode(String.self) { status = PartnerStatus(rawValue: raw) }
        guard let status else { throw ConsentInvitationError.partnerNotFound(partnerID) }
        guard purpose.allows(status) else { throw ConsentInvitationError.purposeDoesNotFit(purpose, status) }
        let secret = Secret("cpvi_" + StaffTokenRepository.randomAlphanumeric(43))
        let rows = try await connection.query(
            """
            INSERT INTO consent_invitations (partner_id, purpose, secret_hash, created_by, expires_at)
            VALUES (\(partnerID), \(purpose.rawValue), \(Self.hash(secret)), \(actor), now() + make_interval(secs => \(Double(lifetime))))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let invitation = try await Self.first(rows) else { throw ConsentInvitationError.partnerNotFound(partnerID) }
        try await partners.audit.append(
            AuditRecord(
                actor: actor, action: "partner.invitation.issued", partnerID: partnerID,
                details: AuditDetails.json([
                    "invitationId": String(invitation.id), "purpose": purpose.rawValue,
                    "expiresAt": invitation.expiresAt.formatted(Date.ISO8601FormatStyle()),
                ])),
            on: connection, logger: logger)
        return (invitation, secret)
    }

    /// A partner's invitations, newest first.
    public func invitations(partnerID: UUID, logger: Logger) async throws -> [ConsentInvitation] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM consent_invitations WHERE partner_id = \(partnerID)
            ORDER BY created_at DESC, id DESC LIMIT 100
            """, logger: logger)
        var invitations: [ConsentInvitation] = []
        for try await row in rows { invitations.append(try Self.invitation(NamedRow(row))) }
        return invitations
    }

    /// Revokes an open invitation; nil when the partner has no such invitation, `notOpen` when it
    /// was already used, revoked or expired.
    public func revoke(partnerID: UUID, invitationID: Int64, actor: String, logger: Logger) async throws -> ConsentInvitation? {
        try await client.inTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM consent_invitations
                WHERE id = \(invitationID) AND partner_id = \(partnerID) FOR UPDATE
                """, logger: logger)
            guard let current = try await Self.first(rows) else { return nil }
            guard current.state() == .open else { throw ConsentInvitationError.notOpen(current.state()) }
            let updated = try await connection.query(
                """
                UPDATE consent_invitations SET revoked_at = now(), revoked_by = \(actor) WHERE id = \(invitationID)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            try await connection.query(
                "DELETE FROM consent_requests WHERE invitation_id = \(invitationID) AND used_at IS NULL", logger: logger)
            try await partners.audit.append(
                AuditRecord(
                    actor: actor, action: "partner.invitation.revoked", partnerID: partnerID,
                    details: AuditDetails.json(["invitationId": String(invitationID), "purpose": current.purpose.rawValue])),
                on: connection, logger: logger)
            return try await Self.first(updated)
        }
    }

    /// The open invitation behind a presented secret, with its partner, when the partner's status
    /// still fits it; nil for anything else (unknown, used, revoked, expired, disabled partner).
    public func openInvitation(secret: String, logger: Logger) async throws -> (ConsentInvitation, Partner)? {
        guard secret.hasPrefix("cpvi_"), secret.count < 100 else { return nil }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM consent_invitations
            WHERE secret_hash = \(Self.hash(Secret(secret))) AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
            """, logger: logger)
        guard let invitation = try await Self.first(rows),
            let partner = try await partners.partner(id: invitation.partnerID, logger: logger),
            invitation.purpose.allows(partner.status)
        else { return nil }
        return (invitation, partner)
    }

    // MARK: Sign-ins in flight

    /// Remembers a started sign-in: the hash of its `state`, its PKCE verifier and its invitation.
    public func startConsent(
        invitation: ConsentInvitation, stateHash: [UInt8], codeVerifier: String, expiresAt: Date, logger: Logger
    ) async throws {
        try await client.query(
            """
            INSERT INTO consent_requests (state_hash, partner_id, invitation_id, code_verifier, expires_at)
            VALUES (\(Data(stateHash)), \(invitation.partnerID), \(invitation.id), \(codeVerifier), \(expiresAt))
            """, logger: logger)
    }

    /// Takes a sign-in by its state hash, at most once and only before it expires.
    public func takeConsent(stateHash: [UInt8], logger: Logger) async throws -> (invitation: ConsentInvitation, codeVerifier: String)? {
        let rows = try await client.query(
            """
            WITH taken AS (
                UPDATE consent_requests SET used_at = now()
                WHERE state_hash = \(Data(stateHash)) AND used_at IS NULL AND expires_at > now() AND invitation_id IS NOT NULL
                RETURNING invitation_id, code_verifier
            )
            SELECT taken.code_verifier, i.id
            FROM taken JOIN consent_invitations i ON i.id = taken.invitation_id
            """, logger: logger)
        var taken: (String, Int64)?
        for try await row in rows {
            let cells = NamedRow(row)
            taken = (try cells("code_verifier"), try cells("id"))
        }
        guard let (verifier, invitationID) = taken,
            let invitation = try await Self.first(
                try await client.query("SELECT \(unescaped: Self.columns) FROM consent_invitations WHERE id = \(invitationID)", logger: logger))
        else { return nil }
        return (invitation, verifier)
    }

    /// Deletes sign-ins that expired more than `grace` ago (used or not): nothing in them is
    /// evidence (the audit trail has the outcome), and a public endpoint must not grow a table.
    @discardableResult
    public func purgeExpiredConsentRequests(grace: TimeInterval = 3_600, logger: Logger) async throws -> Int {
        let rows = try await client.query(
            "DELETE FROM consent_requests WHERE expires_at < now() - make_interval(secs => \(Double(grace))) RETURNING 1", logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    static func hash(_ secret: Secret<String>) -> Data {
        Data(SHA256.hash(data: Data(secret.revealed.utf8)))
    }

    static func first(_ rows: PostgresRowSequence) async throws -> ConsentInvitation? {
        for try await row in rows { return try Self.invitation(NamedRow(row)) }
        return nil
    }

    static func invitation(_ row: NamedRow) throws -> ConsentInvitation {
        let id: Int64 = try row("id")
        guard let purpose = ConsentPurpose(rawValue: try row("purpose")) else { throw ConsentInvitationError.corruptRow(id) }
        return ConsentInvitation(
            id: id, partnerID: try row("partner_id"), purpose: purpose, createdBy: try row("created_by"),
            createdAt: try row("created_at"), expiresAt: try row("expires_at"), usedAt: try row("used_at"),
            usedBy: try row("used_by"), revokedAt: try row("revoked_at"), revokedBy: try row("revoked_by"))
    }
}

/// Why an invitation operation was refused by the store.
public enum ConsentInvitationError: Error, Sendable, Equatable, CustomStringConvertible {
    case partnerNotFound(UUID)
    case purposeDoesNotFit(ConsentPurpose, PartnerStatus)
    case notOpen(ConsentInvitation.State)
    case corruptRow(Int64)

    public var description: String {
        switch self {
        case .partnerNotFound(let id): return "no partner \(id.guidText)"
        case .purposeDoesNotFit(let purpose, let status):
            switch status {
            case .disabled: return "the partner is disabled: no consent invitation can be issued"
            default:
                let fitting = ConsentPurpose.fitting(status).map { " (it needs \($0.rawValue))" } ?? ""
                return "a \(purpose.rawValue) invitation does not fit a partner in \(status.rawValue)\(fitting)"
            }
        case .notOpen(let state): return "the invitation is already \(state.rawValue)"
        case .corruptRow(let id): return "invitation \(id) holds values this version cannot read"
        }
    }
}
