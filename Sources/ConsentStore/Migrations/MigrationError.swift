/// Why migrations cannot be applied, or why the database and the migration files disagree.
/// Each message names the migration and says what an operator should do.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case directoryUnreadable(String)
    case noMigrations(String)
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    /// An applied migration's file now has different content.
    case checksumMismatch(version: Int, name: String, applied: String, file: String)
    /// A migration recorded as applied has no file any more.
    case missingFile(version: Int, name: String)
    /// Applying a migration failed; it was rolled back.
    case applyFailed(version: Int, name: String, reason: String)

    public var description: String {
        switch self {
        case .directoryUnreadable(let path):
            return "cannot read migrations from \(path) (set CPV_MIGRATIONS_DIR to the migrations folder)"
        case .noMigrations(let path):
            return "no NNNN_name.sql migrations found in \(path)"
        case .badFileName(let name):
            return "migration file \(name) does not follow the NNNN_name.sql pattern"
        case .duplicateVersion(let version, let first, let second):
            return "two migrations share version \(version): \(first) and \(second)"
        case .checksumMismatch(let version, let name, let applied, let file):
            return "migration \(String(format: "%04d", version))_\(name) was edited after it was applied "
                + "(applied checksum \(applied.prefix(12)), file checksum \(file.prefix(12))); "
                + "migrations are append-only: restore the file and add a new migration instead"
        case .missingFile(let version, let name):
            return "migration \(String(format: "%04d", version))_\(name) is applied in the database but its file is missing; "
                + "this binary is older than the database schema or the file was deleted"
        case .applyFailed(let version, let name, let reason):
            return "migration \(String(format: "%04d", version))_\(name) failed and was rolled back: \(reason)"
        }
    }
}
