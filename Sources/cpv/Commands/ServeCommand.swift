import AdminServer
import Composition
import ArgumentParser
import ConsentStore
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `cpv serve`: the admin server, its workers and its schedulers, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the server (admin API, console, consent flow, workers).")

    @Flag(help: "Apply pending migrations before serving (single-node installs and the demo).")
    var migrate = false

    func run() async throws {
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        try await DatabaseProbe.check(configuration.database, logger: logger)
        // Refuse a drifted schema before any service starts: stopping workers that are already
        // claiming tasks is slower and noisier than never starting them.
        let migrations = MigrationRunner(files: try loadMigrationFiles(configuration: configuration))
        let migrateFirst = migrate
        try await withPostgresClient(configuration.database.clientConfiguration(), logger: logger) { client in
            if migrateFirst { try await migrations.migrate(client: client, logger: logger) }
            try await migrations.verify(client: client, logger: logger)
        }
        let metrics = AppMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let app = try await buildApplication(
            configuration: configuration, logger: logger, metrics: metrics,
            options: BuildOptions(migrateOnBoot: migrate) { port in
                logger.notice(
                    "cpv serve is listening",
                    metadata: ["cpv.address": "\(configuration.httpHost):\(port)", "cpv.public_url": "\(configuration.publicURL)"])
            })
        try await app.runService()
    }
}
