import Composition
import ArgumentParser
import ConsentDomain
import ConsentStore
import Foundation

/// The `cpv` command: thin; each subcommand builds configuration and calls the modules.
@main
struct CPV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpv",
        abstract: "Keeps a Control Panel Vendor's application consented in every customer tenant of every CSP partner.",
        version: ProductVersion.current,
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, DatabaseCommand.self, PartnersCommand.self, SyncCommand.self, RegrantCommand.self,
            TokensCommand.self, KeysCommand.self, ReportCommand.self, AuditCommand.self, CustomersCommand.self,
            GrantSetsCommand.self, RunsCommand.self,
            SimulatorCommand.self,
        ]
    )

    /// Runs the chosen subcommand; the failures an operator can fix end as one line on standard
    /// error with a documented exit code (docs/cli.md), never as a stack dump.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as ExitFailure {
            failure.exit()
        } catch let error as ConfigurationError {
            ExitFailure(.configuration, "configuration error: \(error)").exit()
        } catch let error as DatabaseProbe.Unavailable {
            ExitFailure(.unavailable, error.description).exit()
        } catch is CancellationError {
            // A second Ctrl-C (or SIGTERM during shutdown) cancels instead of waiting.
            ExitFailure(.interrupted, "interrupted").exit()
        } catch let error as MigrationError {
            ExitFailure(.dataError, "migration error: \(error)").exit()
        } catch {
            exit(withError: error)
        }
    }
}
