import ConsentStore
import Foundation

/// The `CPV_*` environment of a server under test: a per-test database, port 0, fixed test keys.
public enum TestEnvironment {
    /// A fixed sealing key for tests only (32 zero-to-31 bytes); production keys come from `cpv keys generate`.
    public static let sealingKeys = "test1:" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    public static let applicationID = "11111111-2222-4333-8444-555555555555"

    public static func server(database: DatabaseURL, overrides: [String: String] = [:]) -> [String: String] {
        var environment = [
            "CPV_DATABASE_URL": database.description,
            "CPV_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
            "CPV_TEMPLATES_DIR": TestDatabase.migrationsDirectory.deletingLastPathComponent().appendingPathComponent("Templates").path,
            "CPV_HTTP_HOST": "127.0.0.1",
            "CPV_HTTP_PORT": "0",
            "CPV_APP_ID": applicationID,
            "CPV_APP_SECRET": "test-client-secret",
            "CPV_SEALING_KEYS": sealingKeys,
            "CPV_LOG_LEVEL": "warning",
        ]
        environment.merge(overrides) { _, new in new }
        return environment
    }
}
