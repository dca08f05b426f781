import Composition
import ArgumentParser
import ConsentStore
import Logging
import ServiceLifecycle

/// `cpv worker`: run workers and the rescuer only (no HTTP), until SIGTERM or SIGINT. Start as many
/// as the budget needs, on any machines sharing the database; `CPV_WORKERS` tasks in flight each.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Work on runs' tasks (no HTTP server); stops gracefully on SIGTERM.")

    func run() async throws {
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        try await DatabaseProbe.check(configuration.database, logger: logger)
        // Like `cpv serve`: a database without (or with other) migrations is refused at once, with
        // one line saying so, instead of a claim loop failing against missing tables.
        let migrations = MigrationRunner(files: try loadMigrationFiles(configuration: configuration))
        let status = try await withPostgresClient(configuration.database.clientConfiguration(), logger: logger) { client in
            let status = try await migrations.verify(client: client, logger: logger)
            try await DatabaseRoles.warnAboutAuditSeparation(client: client, logger: logger)
            return status
        }
        // Unlike `cpv serve` (which still answers /readyz "not ready"), a worker has nothing to do
        // on a database behind its binary but fail every claim: refuse it at once.
        guard status.pending.isEmpty else {
            throw ExitFailure(
                .dataError,
                "the database has \(status.pending.count) pending migration(s): run `cpv migrate` first (first pending: \(status.pending[0].version))")
        }
        let services = try AppServices(configuration: configuration, logger: logger)
        let work = services.runWorkers(logger: logger)
        guard !work.isEmpty else { throw ExitFailure(.failure, "CPV_WORKERS is 0: this worker would do nothing") }
        // The database pool starts first and stops last, so workers can release their leases.
        var configured: [ServiceGroupConfiguration.ServiceConfiguration] = services.longLivedServices.map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0)
        }
        for service in work {
            configured.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(services: configured, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("cpv worker started", metadata: ["cpv.workers": "\(configuration.workers)"])
        try await group.run()
    }
}
