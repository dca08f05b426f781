import ConsentStore
import Foundation
import Logging
import PostgresNIO

/// Real PostgreSQL databases for tests: each test gets its own database, cloned from a template
/// that has every migration applied (`CREATE DATABASE ... TEMPLATE`), so tests run in parallel and
/// never see each other's rows.
///
/// The server comes from `CPV_TEST_DATABASE_URL` (set by `ops/test`, which starts a private
/// cluster). Only a local server is accepted: tests create and drop databases.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "cpv.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The repository's `migrations/` folder.
    public static var migrationsDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations")
    }

    /// The maintenance URL of the test server (its `postgres` database).
    public static func serverURL() throws -> DatabaseURL {
        guard let raw = ProcessInfo.processInfo.environment["CPV_TEST_DATABASE_URL"], !raw.isEmpty else {
            throw TestDatabaseError(
                "CPV_TEST_DATABASE_URL is not set: run the tests with ops/test, which starts a private PostgreSQL")
        }
        let url = try DatabaseURL(parsing: raw)
        guard url.isLocal else {
            throw TestDatabaseError("refusing to run tests against non-local database \(url): tests create and drop databases")
        }
        return url
    }

    /// The roles of every migrated test database, as `cpv db roles` sets them up: the template is
    /// migrated as the owner, and tests connect as the application role, so every test of a
    /// serve or worker path also proves that role's grants are enough. Roles are cluster-wide:
    /// created once, idempotently, under the template lock; never dropped.
    public static let roles: DatabaseRoles = {
        do {
            return try DatabaseRoles(owner: "cpv_test_owner", application: "cpv_test_app")
        } catch {
            preconditionFailure("fixed test role names are invalid: \(error)")
        }
    }()

    /// Runs `body` with a client on a fresh, fully migrated database that is dropped afterwards.
    /// The client and URL are the application role's (`roles.application`); see `superuser(_:)`.
    @discardableResult
    public static func withMigratedDatabase<T>(
        _ body: (PostgresClient, DatabaseURL) async throws -> T
    ) async throws -> T {
        let template = try await Templates.shared.migratedTemplate()
        return try await withDatabase(template: template, owner: roles.owner, user: roles.application, body)
    }

    /// The same database as the cluster's superuser: for tests that play an attacker or a DBA.
    public static func superuser(_ url: DatabaseURL) throws -> DatabaseURL {
        var admin = url
        admin.username = try serverURL().username
        admin.password = try serverURL().password
        return admin
    }

    /// Runs `body` with a superuser client on `url`'s database.
    @discardableResult
    public static func asSuperuser<T>(_ url: DatabaseURL, _ body: (PostgresClient) async throws -> T) async throws -> T {
        try await withPostgresClient(try superuser(url).clientConfiguration(), logger: logger, body)
    }

    /// Runs `body` with a client on a fresh, empty database (no migrations) dropped afterwards.
    @discardableResult
    public static func withEmptyDatabase<T>(
        _ body: (PostgresClient, DatabaseURL) async throws -> T
    ) async throws -> T {
        try await withDatabase(template: "template0", owner: nil, user: nil, body)
    }

    private static func withDatabase<T>(
        template: String, owner: String?, user: String?, _ body: (PostgresClient, DatabaseURL) async throws -> T
    ) async throws -> T {
        let server = try serverURL()
        let name = "cpv_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        try await Templates.shared.createDatabase(name, template: template, owner: owner, server: server)
        var url = server.with(database: name)
        if let user {
            url.username = user
            url.password = nil
        }
        do {
            let result = try await withPostgresClient(url.clientConfiguration(), logger: logger) { client in
                try await body(client, url)
            }
            try await dropDatabase(name, server: server)
            return result
        } catch {
            try? await dropDatabase(name, server: server)
            throw error
        }
    }

    static func dropDatabase(_ name: String, server: DatabaseURL) async throws {
        try await withPostgresClient(server.clientConfiguration(), logger: logger) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: quoted(name)) WITH (FORCE)", logger: logger)
        }
    }

    static func quoted(_ identifier: String) -> String {
        precondition(identifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "unsafe identifier")
        return "\"\(identifier)\""
    }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Builds the migrated template once per test process and serialises `CREATE DATABASE`, which
/// refuses to copy a template that another session is copying at the same moment.
actor Templates {
    static let shared = Templates()

    private var migrated: Task<String, any Error>?

    func migratedTemplate() async throws -> String {
        if let migrated { return try await migrated.value }
        let task = Task<String, any Error> { try await Self.buildTemplate() }
        migrated = task
        return try await task.value
    }

    func createDatabase(_ name: String, template: String, owner: String?, server: DatabaseURL) async throws {
        let ownerClause = owner.map { " OWNER " + TestDatabase.quoted($0) } ?? ""
        try await withPostgresClient(server.clientConfiguration(), logger: TestDatabase.logger) { client in
            try await client.query(
                "CREATE DATABASE \(unescaped: TestDatabase.quoted(name)) TEMPLATE \(unescaped: TestDatabase.quoted(template))\(unescaped: ownerClause)",
                logger: TestDatabase.logger)
        }
    }

    /// The template's name carries a hash of the migrations (versions, names and contents), so
    /// editing, adding or renumbering one builds a new template instead of reusing a stale one.
    private static func buildTemplate() async throws -> String {
        let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
        let fingerprint = (files.map { "\($0.version):\($0.name):\($0.checksum)" }.joined() + DatabaseRoles.script).utf8.reduce(UInt64(14_695_981_039_346_656_037)) { hash, byte in
            (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        let name = "cpv_template_" + String(fingerprint, radix: 16)
        let server = try TestDatabase.serverURL()
        let logger = TestDatabase.logger
        try await withPostgresClient(server.clientConfiguration(), logger: logger) { admin in
            // Another test process may be building the same template: one at a time.
            try await admin.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(7264)", logger: logger)
                do {
                    try await createTemplateIfMissing(name, files: files, connection: connection, server: server)
                    try await connection.query("SELECT pg_advisory_unlock(7264)", logger: logger)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(7264)", logger: logger)
                    throw error
                }
            }
        }
        return name
    }

    private static func createTemplateIfMissing(
        _ name: String, files: [MigrationFile], connection: PostgresConnection, server: DatabaseURL
    ) async throws {
        let logger = TestDatabase.logger
        let exists = try await connection.query(
            "SELECT datistemplate FROM pg_database WHERE datname = \(name)", logger: logger
        ).collect().first?.decode(Bool.self) ?? false
        if exists { return }
        let quoted = TestDatabase.quoted(name)
        try await connection.query("DROP DATABASE IF EXISTS \(unescaped: quoted) WITH (FORCE)", logger: logger)
        try await connection.query("CREATE DATABASE \(unescaped: quoted) TEMPLATE template0", logger: logger)
        try await withPostgresClient(server.with(database: name).clientConfiguration(), logger: logger) { client in
            try await TestDatabase.roles.apply(client: client, logger: logger)
        }
        var owner = server.with(database: name)
        owner.username = TestDatabase.roles.owner
        owner.password = nil
        try await withPostgresClient(owner.clientConfiguration(), logger: logger) { client in
            try await MigrationRunner(files: files).migrate(client: client, logger: logger)
        }
        try await connection.query("ALTER DATABASE \(unescaped: quoted) WITH IS_TEMPLATE true", logger: logger)
    }
}
