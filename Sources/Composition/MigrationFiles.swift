import ConsentStore
import Foundation

/// Loads `migrations/*.sql` from `CPV_MIGRATIONS_DIR` or the usual places (see `MigrationFile.locateDirectory`).
public func loadMigrationFiles(configuration: AppConfiguration) throws -> [MigrationFile] {
    guard
        let directory = MigrationFile.locateDirectory(
            explicit: configuration.migrationsDirectory, executablePath: CommandLine.arguments.first ?? ".")
    else {
        throw MigrationError.directoryUnreadable("./migrations")
    }
    return try MigrationFile.load(from: directory)
}
