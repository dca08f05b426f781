import ConsentDomain
import Composition
import ArgumentParser
import Foundation
import Orchestrator

/// `cpv sync --partner <id>` (or `--all`): syncs customers from Partner Center now and prints the summary.
/// Not registered yet: add `SyncCommand.self` to `CPV.configuration.subcommands`.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync a partner's customers (or every active partner's) from Partner Center now.")

    @Option(help: "The partner id.")
    var partner: String?

    @Flag(help: "Sync every active partner.")
    var all = false

    func validate() throws {
        guard (partner != nil) != all else { throw ValidationError("give either --partner <id> or --all") }
        if let partner, UUID(uuidString: partner) == nil { throw ValidationError("the partner id must be a UUID") }
    }

    func run() async throws {
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        let partnerID = partner.flatMap(UUID.init(uuidString:))
        let failures = try await AppServices.with(configuration: configuration, logger: logger) { services in
            if let partnerID {
                do {
                    print(Self.line(try await services.customerSync.sync(partnerID: partnerID, actor: "cli:sync", logger: logger)))
                    return 0
                } catch let error as CustomerSyncError {
                    throw ExitFailure(.failure, error.description)
                }
            }
            var failures = 0
            for (id, result) in await services.customerSyncService(logger: logger).syncAll() {
                switch result {
                case .success(let summary): print(Self.line(summary))
                case .failure(let error):
                    failures += 1
                    print("\(id.guidText): FAILED \(error)")
                }
            }
            return failures
        }
        if failures > 0 { throw ExitCode(2) }
    }

    static func line(_ summary: CustomerSyncSummary) -> String {
        "\(summary.partnerID.guidText): \(summary.added) added, \(summary.updated) updated, "
            + "\(summary.removed) removed, \(summary.pages) pages in \(summary.durationMilliseconds) ms"
            + (summary.listingComplete ? "" : " (listing ended early: nobody marked removed)")
    }
}
