import ConsentDomain
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Console sessions (migration 0007): a random 256-bit value in the staff member's cookie, stored
/// only as its SHA-256 hash. A session is valid until it expires, is signed out, or its staff
/// token is revoked: `member(for:)` checks all three on every request.
public struct ConsoleSessionRepository: Sendable {
    let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    /// Days an expired session row is kept before a later sign-in deletes it.
    public static let retentionDays = 7

    /// A session as the console sees it: who is signed in and the form token of this session.
    public struct Session: Sendable, Equatable {
        public let member: StaffMember
        /// The synchronizer token every state-changing form of this session must echo.
        public let csrfToken: String
        public let expiresAt: Date
    }

    /// Starts a session for `member` and returns the cookie value, the only time it exists in clear.
    /// Audited as `console.signed_in` with the staff actor.
    public func start(for member: StaffMember, lifetime: TimeInterval, logger: Logger) async throws -> (Secret<String>, Session) {
        let secret = Secret(StaffTokenRepository.randomAlphanumeric(43))
        let expiresAt = Date().addingTimeInterval(lifetime)
        try await client.withTransaction(logger: logger) { connection in
            // Housekeeping on the rare path: sessions ended more than a week ago are no longer
            // evidence of anything the audit trail does not already hold (console_sessions_expiry).
            try await connection.query(
                "DELETE FROM console_sessions WHERE expires_at < now() - make_interval(days => \(Self.retentionDays)::integer)",
                logger: logger)
            try await connection.query(
                """
                INSERT INTO console_sessions (session_hash, staff_token_id, expires_at)
                VALUES (\(Self.hash(secret)), \(member.tokenID), \(expiresAt))
                """, logger: logger)
            _ = try await audit.append(
                AuditRecord(
                    actor: member.actor, action: "console.signed_in",
                    details: AuditDetails.json(["tokenId": String(member.tokenID), "role": member.role.rawValue])),
                on: connection, logger: logger)
        }
        return (secret, Session(member: member, csrfToken: Self.csrfToken(for: secret), expiresAt: expiresAt))
    }

    /// The live session behind a cookie value, or nil when it is unknown, expired, idle for longer
    /// than `idleTimeout`, signed out, or its staff token was revoked or has expired.
    ///
    /// - Parameter touch: a request a person made (a page, a form) moves the session's last use;
    ///   the run page's automatic progress refresh does not, so an open page does not keep an
    ///   abandoned session alive.
    public func session(cookie: String, idleTimeout: TimeInterval, touch: Bool = true, logger: Logger) async throws -> Session? {
        // Our values are 43 alphanumerics; anything else is not worth a query.
        guard cookie.count == 43, cookie.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        let secret = Secret(cookie)
        let idleSeconds = Double(idleTimeout)
        let rows = try await client.query(
            """
            WITH live AS (
                SELECT s.id, t.id AS token_id, t.name, t.role, s.expires_at
                FROM console_sessions s JOIN staff_tokens t ON t.id = s.staff_token_id
                WHERE s.session_hash = \(Self.hash(secret)) AND s.revoked_at IS NULL AND s.expires_at > now()
                  AND s.last_seen_at > now() - make_interval(secs => \(idleSeconds))
                  AND t.revoked_at IS NULL AND t.expires_at > now()
            ), touched AS (
                UPDATE console_sessions s SET last_seen_at = now() FROM live WHERE s.id = live.id AND \(touch)
            )
            SELECT token_id, name, role, expires_at FROM live
            """, logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            guard let role = StaffRole(rawValue: try cells("role")) else { return nil }
            return Session(
                member: StaffMember(tokenID: try cells("token_id"), name: try cells("name"), role: role),
                csrfToken: Self.csrfToken(for: secret), expiresAt: try cells("expires_at"))
        }
        return nil
    }

    /// Ends the session behind a cookie value (sign-out); audited as `console.signed_out`.
    /// Returns false when there was no live session to end.
    @discardableResult
    public func end(cookie: String, actor: String, logger: Logger) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE console_sessions SET revoked_at = now()
                WHERE session_hash = \(Self.hash(Secret(cookie))) AND revoked_at IS NULL
                RETURNING staff_token_id
                """, logger: logger)
            var tokenID: Int64?
            for try await id in rows.decode(Int64.self) { tokenID = id }
            guard let tokenID else { return false }
            _ = try await audit.append(
                AuditRecord(actor: actor, action: "console.signed_out", details: AuditDetails.json(["tokenId": String(tokenID)])),
                on: connection, logger: logger)
            return true
        }
    }

    static func hash(_ secret: Secret<String>) -> Data {
        Data(SHA256.hash(data: Data(secret.revealed.utf8)))
    }

    /// Derived from the session value with a distinct label, so the page can carry it without
    /// revealing the cookie, and nothing extra has to be stored.
    static func csrfToken(for secret: Secret<String>) -> String {
        SHA256.hash(data: Data(("cpv-console-csrf:" + secret.revealed).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
