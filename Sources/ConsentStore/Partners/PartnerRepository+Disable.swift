import Foundation
import Logging
import PostgresNIO

extension PartnerRepository {
    /// Disables a partner: no more syncs, grants or token refreshes for it, and no consent: its
    /// open invitations are revoked and its sign-ins in flight end, in the same transaction (a
    /// consent completing concurrently waits for the partner's row lock, then finds it disabled).
    /// The sealed refresh token stays. Returns nil when the partner does not exist; `changed` is
    /// false when it was already disabled (idempotent, no event).
    public func disable(partnerID: UUID, reason: String?, actor: String, logger: Logger) async throws -> (changed: Bool, previousStatus: String)? {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT status FROM partners WHERE id = \(partnerID) FOR UPDATE", logger: logger)
            var previous: String?
            for try await status in rows.decode(String.self) { previous = status }
            guard let previous else { return nil }
            if previous == "disabled" { return (false, previous) }
            try await connection.query(
                """
                UPDATE partners SET status = 'disabled', status_reason = \(reason ?? "disabled by staff"), updated_at = now()
                WHERE id = \(partnerID)
                """, logger: logger)
            var revoked = 0
            for try await _ in try await connection.query(
                """
                UPDATE consent_invitations SET revoked_at = now(), revoked_by = \(actor)
                WHERE partner_id = \(partnerID) AND used_at IS NULL AND revoked_at IS NULL
                RETURNING id
                """, logger: logger
            ) { revoked += 1 }
            try await connection.query(
                "DELETE FROM consent_requests WHERE partner_id = \(partnerID) AND used_at IS NULL", logger: logger)
            var details = ["previousStatus": previous, "invitationsRevoked": String(revoked)]
            if let reason { details["reason"] = reason }
            try await audit.append(
                AuditRecord(actor: actor, action: "partner.disabled", partnerID: partnerID, details: AuditDetails.json(details)),
                on: connection, logger: logger)
            return (true, previous)
        }
    }
}
