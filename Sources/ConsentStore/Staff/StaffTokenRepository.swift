import ConsentDomain
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Staff API tokens: shown once at creation, stored only as a SHA-256 hash.
///
/// A token is `cpv_<prefix>_<secret>`: the 8-character prefix identifies it in lists and logs;
/// the 256-bit secret makes a plain (unsalted) hash safe (ASVS 6.5.2 asks for at least 112 bits).
public struct StaffTokenRepository: Sendable {
    let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    public struct TokenSummary: Sendable, Equatable {
        public let id: Int64
        public let name: String
        public let role: StaffRole
        public let prefix: String
        public let createdBy: String
        public let createdAt: Date
        public let lastUsedAt: Date?
        public let revokedAt: Date?
        public let expiresAt: Date

        public func isExpired(now: Date = Date()) -> Bool { expiresAt <= now }
    }

    /// How long a token lives when its creator does not say (ASVS 7.3: credentials end).
    public static let defaultLifetimeDays = 90
    /// The longest a token may be given: a year, after which staff make a new one.
    public static let maximumLifetimeDays = 365

    /// Creates a token and returns it in clear, the only time it is ever available. Names are
    /// unique among tokens not revoked (case-insensitive): `duplicateName` otherwise.
    public func create(
        name: String, role: StaffRole, lifetimeDays: Int = defaultLifetimeDays, createdBy: String, logger: Logger
    ) async throws -> (TokenSummary, Secret<String>) {
        guard (1...Self.maximumLifetimeDays).contains(lifetimeDays) else { throw StaffTokenError.invalidLifetime }
        let prefix = Self.randomAlphanumeric(8)
        let token = Secret("cpv_\(prefix)_\(Self.randomAlphanumeric(43))")
        do {
            return try await client.inTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO staff_tokens (name, role, token_prefix, token_hash, created_by, expires_at)
                    VALUES (\(name), \(role.rawValue), \(prefix), \(Self.hash(token)), \(createdBy),
                            now() + make_interval(days => \(lifetimeDays)::integer))
                    RETURNING id, created_at, expires_at
                    """, logger: logger)
                var created: (Int64, Date, Date)?
                for try await row in rows {
                    let cells = NamedRow(row)
                    created = (try cells("id"), try cells("created_at"), try cells("expires_at"))
                }
                guard let (id, createdAt, expiresAt) = created else { throw StaffTokenError.notFound }
                try await audit.append(
                    AuditRecord(
                        actor: createdBy, action: "staff_token.created",
                        details: AuditDetails.json([
                            "name": name, "role": role.rawValue, "prefix": prefix, "id": String(id),
                            "expiresAt": expiresAt.formatted(Date.ISO8601FormatStyle()),
                        ])),
                    on: connection, logger: logger)
                let summary = TokenSummary(
                    id: id, name: name, role: role, prefix: prefix, createdBy: createdBy, createdAt: createdAt, lastUsedAt: nil,
                    revokedAt: nil, expiresAt: expiresAt)
                return (summary, token)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StaffTokenError.duplicateName(name)
        }
    }

    /// The staff member a presented token belongs to, or nil for an unknown, revoked or expired
    /// token. Records the use at most once a minute, so reads do not turn into a write per request.
    public func authenticate(_ token: String, logger: Logger) async throws -> StaffMember? {
        guard token.hasPrefix("cpv_"), token.count < 200 else { return nil }
        let rows = try await client.query(
            """
            UPDATE staff_tokens SET last_used_at = now()
            WHERE token_hash = \(Self.hash(Secret(token))) AND revoked_at IS NULL AND expires_at > now()
              AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            RETURNING id, name, role
            """, logger: logger)
        for try await row in rows { return try Self.member(NamedRow(row)) }
        let unchanged = try await client.query(
            """
            SELECT id, name, role FROM staff_tokens
            WHERE token_hash = \(Self.hash(Secret(token))) AND revoked_at IS NULL AND expires_at > now()
            """, logger: logger)
        for try await row in unchanged { return try Self.member(NamedRow(row)) }
        return nil
    }

    /// A token's `id`, `name` and `role` as the member they authenticate (nil for a role this
    /// version does not know).
    static func member(_ row: NamedRow) throws -> StaffMember? {
        guard let role = StaffRole(rawValue: try row("role")) else { return nil }
        return StaffMember(tokenID: try row("id"), name: try row("name"), role: role)
    }

    /// Whether `token` is a real token past its expiry (after `authenticate` refused it), so that
    /// its holder is told to get a new one rather than to check for a typo.
    public func isExpired(_ token: String, logger: Logger) async throws -> Bool {
        guard token.hasPrefix("cpv_"), token.count < 200 else { return false }
        let rows = try await client.query(
            """
            SELECT 1 FROM staff_tokens
            WHERE token_hash = \(Self.hash(Secret(token))) AND revoked_at IS NULL AND expires_at <= now()
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    public func list(logger: Logger) async throws -> [TokenSummary] {
        let rows = try await client.query(
            """
            SELECT id, name, role, token_prefix, created_by, created_at, last_used_at, revoked_at, expires_at
            FROM staff_tokens ORDER BY id
            """, logger: logger)
        var tokens: [TokenSummary] = []
        for try await (id, name, role, prefix, createdBy, createdAt, lastUsedAt, revokedAt, expiresAt) in rows.decode(
            (Int64, String, String, String, String, Date, Date?, Date?, Date).self)
        {
            tokens.append(
                TokenSummary(
                    id: id, name: name, role: StaffRole(rawValue: role) ?? .viewer, prefix: prefix, createdBy: createdBy,
                    createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt, expiresAt: expiresAt))
        }
        return tokens
    }

    /// Revokes a token by id; returns false when it does not exist or was already revoked.
    public func revoke(id: Int64, actor: String, logger: Logger) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE staff_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING name",
                logger: logger)
            var revokedName: String?
            for try await name in rows.decode(String.self) { revokedName = name }
            guard let revokedName else { return false }
            try await audit.append(
                AuditRecord(actor: actor, action: "staff_token.revoked", details: AuditDetails.json(["id": String(id), "name": revokedName])),
                on: connection, logger: logger)
            return true
        }
    }

    static func hash(_ token: Secret<String>) -> Data {
        Data(SHA256.hash(data: Data(token.revealed.utf8)))
    }

    static func randomAlphanumeric(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

public enum StaffTokenError: Error, Equatable, CustomStringConvertible {
    case notFound
    /// Another token that is not revoked already has this name (case-insensitive).
    case duplicateName(String)
    /// A lifetime outside 1...maximumLifetimeDays.
    case invalidLifetime

    public var description: String {
        switch self {
        case .notFound: return "no such token"
        case .duplicateName(let name): return "a token named \(name) already exists; revoke it first or choose another name"
        case .invalidLifetime: return "a token lives from 1 to \(StaffTokenRepository.maximumLifetimeDays) days"
        }
    }
}
