import Foundation
import Logging
import PostgresNIO

extension PartnerRepository {
    /// Disables a partner: no more syncs, grants or token refreshes for it. The sealed refresh
    /// token stays (re-enabling is a re-consent anyway, which replaces it). Returns nil when the
    /// partner does not exist; `changed` is false when it was already disabled (idempotent, no event).
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
            var details = ["previousStatus": previous]
            if let reason { details["reason"] = reason }
            try await AuditWriter.append(
                AuditRecord(actor: actor, action: "partner.disabled", partnerID: partnerID, details: Self.json(details)),
                on: connection, logger: logger)
            return (true, previous)
        }
    }
}
