import Composition
import ArgumentParser
import ConsentStore
import Foundation
import Logging

/// `cpv migrate`: applies pending migrations under an advisory lock; `--status` only lists them.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations (or list them with --status).")

    @Flag(help: "List applied and pending migrations without changing anything.")
    var status = false

    func run() async throws {
        let configuration = try Bootstrap.configuration(.databaseOnly)
        let logger = Bootstrap.logger(configuration)
        try await DatabaseProbe.check(configuration.database, logger: logger)
        let runner = MigrationRunner(files: try loadMigrationFiles(configuration: configuration))
        try await withPostgresClient(configuration.database.clientConfiguration(), logger: logger) { client in
            if status {
                let current = try await runner.status(client: client, logger: logger)
                print(Self.render(current))
                if let problem = current.problems.first { throw problem }
            } else {
                let applied = try await runner.migrate(client: client, logger: logger)
                print(applied.isEmpty ? "database is up to date (\(runner.files.count) migrations applied)"
                    : "applied \(applied.count) migration(s): " + applied.map { Self.name($0.version, $0.name) }.joined(separator: ", "))
            }
        }
    }

    static func name(_ version: Int, _ name: String) -> String {
        String(format: "%04d", version) + "_" + name
    }

    static func render(_ status: MigrationRunner.Status) -> String {
        var lines = ["STATE    MIGRATION                                 APPLIED AT"]
        for migration in status.applied {
            let label = name(migration.version, migration.name)
            let broken = status.problems.contains { problem in
                switch problem {
                case .checksumMismatch(let version, _, _, _), .missingFile(let version, _): return version == migration.version
                default: return false
                }
            }
            lines.append(
                (broken ? "CHANGED  " : "applied  ") + label.padding(toLength: 42, withPad: " ", startingAt: 0)
                    + migration.appliedAt.formatted(Date.ISO8601FormatStyle()))
        }
        for file in status.pending {
            lines.append("pending  " + name(file.version, file.name))
        }
        lines.append("\(status.applied.count) applied, \(status.pending.count) pending, \(status.problems.count) problem(s)")
        return lines.joined(separator: "\n")
    }
}
