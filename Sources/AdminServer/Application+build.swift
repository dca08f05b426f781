import ConsentStore
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Choices of the process that starts the server, beyond the environment's configuration.
public struct BuildOptions: Sendable {
    /// Apply pending migrations before serving (the demo and single-node installs); otherwise a
    /// migration job applies them and `/readyz` reports "not ready" until it has.
    public var migrateOnBoot: Bool
    /// Called with the bound port once the server listens (tests and the demo bind port 0).
    public var onServerRunning: @Sendable (Int) async -> Void

    public init(migrateOnBoot: Bool = false, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.migrateOnBoot = migrateOnBoot
        self.onServerRunning = onServerRunning
    }
}

/// The composition root of `cpv serve`: `main` and the tests both call this.
///
/// Builds the database client (run as a `Service` under the application's service group), checks
/// the migration ledger before the server accepts connections, and registers the routes.
public func buildApplication(
    configuration: AppConfiguration,
    logger: Logger,
    metrics: AppMetrics = AppMetrics(),
    options: BuildOptions = BuildOptions()
) throws -> some ApplicationProtocol {
    let migrations = MigrationRunner(files: try loadMigrationFiles(configuration: configuration))
    var databaseConfiguration = configuration.database.clientConfiguration()
    databaseConfiguration.options.maximumConnections = configuration.databaseMaxConnections
    let database = PostgresClient(configuration: databaseConfiguration, backgroundLogger: logger)

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: APIErrorMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    HealthRoutes(database: database, migrations: migrations, probeTimeout: .seconds(3)).register(on: router)
    MetricsRoute(registry: metrics.registry).register(on: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "cpv"),
        services: [database],
        onServerRunning: { channel in
            await options.onServerRunning(channel.localAddress?.port ?? configuration.httpPort)
        },
        logger: logger
    )
    app.beforeServerStarts {
        if options.migrateOnBoot {
            try await migrations.migrate(client: database, logger: logger)
        }
        let status = try await migrations.verify(client: database, logger: logger)
        if !status.pending.isEmpty {
            logger.warning(
                "database schema is behind this binary: /readyz answers not ready until `cpv migrate` runs",
                metadata: ["cpv.migrations.pending": "\(status.pending.count)"])
        }
    }
    return app
}

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
