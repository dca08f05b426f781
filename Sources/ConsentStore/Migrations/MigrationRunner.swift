import Foundation
import Logging
import PostgresNIO

/// Applies `migrations/*.sql` in order, each in its own transaction, and records each one in the
/// `schema_migrations` ledger with its checksum.
///
/// Every run holds a PostgreSQL advisory lock on one connection, so two processes migrating at
/// once (two pods starting, a migration job racing a developer) apply each migration exactly
/// once: the second waits, then finds nothing left to do.
public struct MigrationRunner: Sendable {
    /// A migration recorded in the ledger.
    public struct AppliedMigration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
        public let appliedAt: Date
    }

    /// The ledger compared with the files.
    public struct Status: Sendable {
        public let applied: [AppliedMigration]
        public let pending: [MigrationFile]
        /// Edited or missing migrations. Non-empty means the database must not be used by this binary.
        public let problems: [MigrationError]

        public var isCurrent: Bool { pending.isEmpty && problems.isEmpty }
    }

    /// Key of the session advisory lock taken while migrating ("cpv_migr" in ASCII).
    static let advisoryLockKey: Int64 = 0x6370_765F_6D69_6772

    public let files: [MigrationFile]

    public init(files: [MigrationFile]) {
        self.files = files
    }

    /// Compares the ledger with the files without changing anything.
    public func status(client: PostgresClient, logger: Logger) async throws -> Status {
        try await client.withConnection { connection in
            try await status(connection: connection, logger: logger)
        }
    }

    /// Throws the first problem when an applied migration was edited or removed.
    /// Pending migrations are not an error here: `/readyz` reports them.
    @discardableResult
    public func verify(client: PostgresClient, logger: Logger) async throws -> Status {
        let status = try await status(client: client, logger: logger)
        if let problem = status.problems.first { throw problem }
        return status
    }

    /// Applies every pending migration. Returns the ones applied by this call (possibly none).
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [MigrationFile] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await migrateHoldingLock(connection: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                // The lock is per session; if unlocking fails the connection is closed anyway.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    private func migrateHoldingLock(connection: PostgresConnection, logger: Logger) async throws -> [MigrationFile] {
        // The ledger is the runner's own bookkeeping, created before the first migration exists.
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                duration_ms integer NOT NULL
            )
            """, logger: logger)
        let status = try await status(connection: connection, logger: logger)
        if let problem = status.problems.first { throw problem }
        var appliedNow: [MigrationFile] = []
        for file in status.pending {
            let started = ContinuousClock.now
            do {
                try await connection.withTransaction(logger: logger) { transaction in
                    // The extended protocol runs one statement at a time; the file holds several.
                    for statement in SQLScript.statements(in: file.sql) {
                        try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    let elapsed = ContinuousClock.now - started
                    let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                    try await transaction.query(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, duration_ms)
                        VALUES (\(file.version), \(file.name), \(file.checksum), \(milliseconds))
                        """, logger: logger)
                }
            } catch {
                throw MigrationError.applyFailed(version: file.version, name: file.name, reason: Self.reason(for: error))
            }
            logger.info(
                "applied migration",
                metadata: ["cpv.migration": "\(String(format: "%04d", file.version))_\(file.name)"])
            appliedNow.append(file)
        }
        return appliedNow
    }

    private func status(connection: PostgresConnection, logger: Logger) async throws -> Status {
        let ledgerExists = try await connection.query(
            "SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present", logger: logger
        ).collect().first?.decode(Bool.self) ?? false
        var applied: [AppliedMigration] = []
        if ledgerExists {
            let rows = try await connection.query(
                "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
                logger: logger)
            for try await row in rows {
                let cells = NamedRow(row)
                applied.append(
                    AppliedMigration(
                        version: try cells("version"), name: try cells("name"), checksum: try cells("checksum"),
                        appliedAt: try cells("applied_at")))
            }
        }
        return Self.compare(applied: applied, files: files)
    }

    /// The pure comparison of ledger and files, separate so that it is unit-testable.
    static func compare(applied: [AppliedMigration], files: [MigrationFile]) -> Status {
        let filesByVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
        var problems: [MigrationError] = []
        for migration in applied {
            guard let file = filesByVersion[migration.version] else {
                problems.append(.missingFile(version: migration.version, name: migration.name))
                continue
            }
            if file.checksum != migration.checksum {
                problems.append(
                    .checksumMismatch(
                        version: migration.version, name: migration.name, applied: migration.checksum,
                        file: file.checksum))
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = files.filter { !appliedVersions.contains($0.version) }
        return Status(applied: applied, pending: pending, problems: problems)
    }

    /// The server's message for a failed statement, without PostgresNIO's internals.
    static func reason(for error: any Error) -> String {
        if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] {
            return message
        }
        if let transactionError = error as? PostgresTransactionError,
            let psql = transactionError.closureError as? PSQLError,
            let message = psql.serverInfo?[.message]
        {
            return message
        }
        return String(describing: type(of: error))
    }
}
