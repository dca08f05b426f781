import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Why a consent that passed every check on the person could still not be recorded: the world
/// moved while they were signing in. Checked under the partner's and the invitation's row locks.
public enum ConsentCompletionError: Error, Sendable, Equatable, CustomStringConvertible {
    case partnerNotFound
    /// Disabled meanwhile: a consent in flight never re-activates it.
    case partnerDisabled
    /// Used by another consent, revoked or expired meanwhile.
    case invitationNotOpen
    /// The partner's status no longer fits the invitation (an onboarding link for a partner that
    /// has since consented): the working token is not replaced.
    case purposeDoesNotFit(ConsentPurpose, PartnerStatus)

    public var description: String {
        switch self {
        case .partnerNotFound: return "the partner no longer exists"
        case .partnerDisabled: return "the partner is disabled"
        case .invitationNotOpen: return "the invitation was used, revoked or expired meanwhile"
        case .purposeDoesNotFit(let purpose, let status): return "an invitation for \(purpose.rawValue) does not fit a partner in \(status.rawValue)"
        }
    }
}

extension PartnerRepository {
    /// Stores the refresh token of a completed consent through `invitationID`, makes the partner
    /// `active`, uses the invitation up and ends the other sign-ins started from it: one
    /// transaction, after checking (under row locks) that the partner is not disabled, the
    /// invitation is still open, and the partner's status still fits its purpose.
    public func completeConsent(
        partnerID: UUID, invitationID: Int64, sealed: TokenSealer.Sealed, consentedBy: String, actor: String, details: [String: String],
        logger: Logger
    ) async throws {
        try await completeConsent(
            partnerID: partnerID, invitationID: invitationID, sealedBytes: Data(sealed.combined), keyID: sealed.keyID,
            consentedBy: consentedBy, actor: actor, details: details, logger: logger)
    }

    /// The same for a token that lives outside the database (Key Vault): the row keeps only the
    /// version guard and `key_id = 'keyvault'`.
    public func completeConsentWithTokenInKeyVault(
        partnerID: UUID, invitationID: Int64, consentedBy: String, actor: String, details: [String: String], logger: Logger
    ) async throws {
        try await completeConsent(
            partnerID: partnerID, invitationID: invitationID, sealedBytes: nil, keyID: Self.keyVaultKeyID, consentedBy: consentedBy,
            actor: actor, details: details, logger: logger)
    }

    /// Whether a consent through `invitationID` could be recorded now (the same checks, without
    /// locks): asked before the token leaves the process for Key Vault.
    public func consentCompletionRefusal(partnerID: UUID, invitationID: Int64, logger: Logger) async throws -> ConsentCompletionError? {
        try await client.withConnection { connection in
            try await Self.refusal(partnerID: partnerID, invitationID: invitationID, lock: false, on: connection, logger: logger)
        }
    }

    private func completeConsent(
        partnerID: UUID, invitationID: Int64, sealedBytes: Data?, keyID: String, consentedBy: String, actor: String,
        details: [String: String], logger: Logger
    ) async throws {
        try await client.inTransaction(logger: logger) { connection in
            if let refusal = try await Self.refusal(partnerID: partnerID, invitationID: invitationID, lock: true, on: connection, logger: logger) {
                throw refusal
            }
            try await connection.query(
                """
                UPDATE partners SET refresh_token_sealed = \(sealedBytes), key_id = \(keyID),
                    token_version = token_version + 1, status = 'active', status_reason = NULL,
                    consented_by = \(consentedBy), consented_at = now(), last_redeemed_at = now(),
                    last_token_error = NULL, last_token_error_code = NULL, updated_at = now()
                WHERE id = \(partnerID)
                """, logger: logger)
            try await connection.query(
                "UPDATE consent_invitations SET used_at = now(), used_by = \(consentedBy) WHERE id = \(invitationID)", logger: logger)
            try await connection.query(
                "DELETE FROM consent_requests WHERE invitation_id = \(invitationID) AND used_at IS NULL", logger: logger)
            try await audit.append(
                AuditRecord(actor: actor, action: "partner.consented", partnerID: partnerID, details: AuditDetails.json(details)),
                on: connection, logger: logger)
        }
    }

    private static func refusal(
        partnerID: UUID, invitationID: Int64, lock: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> ConsentCompletionError? {
        let locking = lock ? " FOR UPDATE" : ""
        var status: PartnerStatus?
        for try await raw in try await connection.query(
            "SELECT status FROM partners WHERE id = \(partnerID)\(unescaped: locking)", logger: logger
        ).decode(String.self) { status = PartnerStatus(rawValue: raw) }
        guard let status else { return .partnerNotFound }
        guard status != .disabled else { return .partnerDisabled }
        var invitation: (String, Bool)?
        for try await row in try await connection.query(
            """
            SELECT purpose, used_at IS NULL AND revoked_at IS NULL AND expires_at > now() AS open
            FROM consent_invitations WHERE id = \(invitationID) AND partner_id = \(partnerID)\(unescaped: locking)
            """, logger: logger
        ) {
            let cells = NamedRow(row)
            invitation = (try cells("purpose"), try cells("open"))
        }
        guard let invitation, invitation.1, let purpose = ConsentPurpose(rawValue: invitation.0) else { return .invitationNotOpen }
        guard purpose.allows(status) else { return .purposeDoesNotFit(purpose, status) }
        return nil
    }
}
