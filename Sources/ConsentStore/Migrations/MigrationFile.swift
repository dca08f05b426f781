import Crypto
import Foundation

/// One `migrations/NNNN_what.sql` file: its version, name, SQL and SHA-256 checksum.
public struct MigrationFile: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads every `NNNN_name.sql` in `directory`, sorted by version.
    ///
    /// Refuses a folder with no migrations, two files with one version, and names that do not
    /// follow the `NNNN_name.sql` pattern: a typo must not silently skip a migration.
    public static func load(from directory: URL) throws(MigrationError) -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .directoryUnreadable(directory.path)
        }
        var files: [MigrationFile] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"),
                let version = Int(stem[..<underscore]), version > 0,
                stem.index(after: underscore) < stem.endIndex
            else {
                throw .badFileName(fileName)
            }
            let url = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: url.path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw .directoryUnreadable(url.path)
            }
            if let clash = files.first(where: { $0.version == version }) {
                throw .duplicateVersion(version, clash.name, String(stem[stem.index(after: underscore)...]))
            }
            files.append(MigrationFile(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        guard !files.isEmpty else { throw .noMigrations(directory.path) }
        return files.sorted { $0.version < $1.version }
    }

    /// Finds the `migrations` folder (see `InstalledFolder`): it holds the first migration.
    public static func locateDirectory(explicit: String?, executablePath: String) -> URL? {
        InstalledFolder.locate("migrations", holding: "0001_initial_schema.sql", explicit: explicit, executablePath: executablePath)
    }
}
