import Composition
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Choices of the process that starts the server, beyond the environment's configuration.
public struct BuildOptions: Sendable {
    /// Apply pending migrations before serving (the demo and single-node installs); otherwise a
    /// migration job applies them and `/readyz` reports "not ready" until it has.
    public var migrateOnBoot: Bool
    /// Run the background services (token keeper, ...). Tests that drive them by hand turn this off.
    public var backgroundServices: Bool
    /// Called with the bound port once the server listens (tests and the demo bind port 0).
    public var onServerRunning: @Sendable (Int) async -> Void
    /// Called with the internal address's bound port (`CPV_INTERNAL_HTTP_PORT`), when there is one.
    public var onInternalServerRunning: @Sendable (Int) async -> Void
    /// Called once with every route the router holds, after all are registered: the OpenAPI and
    /// route × role tests compare the live router with the document and the role table.
    public var onRoutes: @Sendable ([RoutedOperation]) -> Void

    public init(
        migrateOnBoot: Bool = false, backgroundServices: Bool = true,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onInternalServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onRoutes: @escaping @Sendable ([RoutedOperation]) -> Void = { _ in }
    ) {
        self.migrateOnBoot = migrateOnBoot
        self.backgroundServices = backgroundServices
        self.onServerRunning = onServerRunning
        self.onInternalServerRunning = onInternalServerRunning
        self.onRoutes = onRoutes
    }
}

/// The composition root of `cpv serve`: `main` and the tests both call this.
///
/// Builds the services graph (`AppServices`), runs the database pool, the HTTP client and the
/// background services under the application's service group, checks the migration ledger before
/// the server accepts connections, and registers the routes.
public func buildApplication(
    configuration: AppConfiguration,
    logger: Logger,
    metrics: AppMetrics = AppMetrics(),
    options: BuildOptions = BuildOptions()
) async throws -> some ApplicationProtocol {
    let services = try AppServices(configuration: configuration, logger: logger)
    return try await buildApplication(services: services, logger: logger, metrics: metrics, options: options)
}

/// The same, around services built by the caller (tests that also drive the services directly).
public func buildApplication(
    services: AppServices,
    logger: Logger,
    metrics: AppMetrics = AppMetrics(),
    options: BuildOptions = BuildOptions()
) async throws -> some ApplicationProtocol {
    let configuration = services.configuration
    let migrations = MigrationRunner(files: try loadMigrationFiles(configuration: configuration))
    guard
        let templates = PageRenderer.locateDirectory(
            explicit: configuration.templatesDirectory, executablePath: CommandLine.arguments.first ?? ".")
    else {
        throw PageRendererError.missingTemplate("consent-result", "./Templates")
    }
    let pages = try await PageRenderer(directory: templates)
    let consolePages = try await ConsolePages(templatesDirectory: templates)

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ResponseHeadersMiddleware(https: configuration.publicURL.lowercased().hasPrefix("https://")))
    router.add(middleware: APIErrorMiddleware())
    router.add(middleware: ClientAddressMiddleware(trusted: configuration.trustedProxies))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    let health = HealthRoutes(database: services.database, migrations: migrations, probeTimeout: .seconds(3))
    // With an internal address, /metrics and /readyz are served there only (operators keep them
    // off the internet); /healthz stays on both for load balancers.
    let internalRouter = configuration.internalHTTPPort.map { _ in Router(context: AppRequestContext.self) }
    if let internalRouter {
        health.register(on: internalRouter)
        MetricsRoute(registry: metrics.registry).register(on: internalRouter)
        health.register(on: router, readiness: false)
    } else {
        health.register(on: router)
        MetricsRoute(registry: metrics.registry).register(on: router)
    }
    try OpenAPIRoute(publicDirectory: URL(fileURLWithPath: templates).deletingLastPathComponent().appendingPathComponent("Public"))
        .register(on: router)
    ConsentRoutes(
        onboarding: services.onboarding, pages: pages, applicationName: configuration.applicationDisplayName,
        limiter: AddressWindow(limit: configuration.consentRequestsPerMinute))
        .register(on: router)
    // One count of failed sign-ins per address, whether a token is guessed at the API or the console.
    let failedAuthentications = FailedAuthentications.failedAuthentications()
    ConsoleRoutes(services: services, pages: consolePages, failures: failedAuthentications).register(on: router)

    let api = router.group("api/v1").add(
        middleware: StaffAuthMiddleware(tokens: services.staffTokens, failures: failedAuthentications))
    PartnerRoutes(partners: services.partners, invitations: services.invitations, verifier: services.verifier).register(on: api)
    GrantSetRoutes(grantSets: services.grantSets, publishing: services.grantSetPublishing).register(on: api)
    CustomerRoutes(sync: services.customerSync, grantor: services.grantor)
        .register(on: api)
    RunRoutes(service: services.runService).register(on: api)
    CustomerReadRoutes(
        customers: CustomerQuery(client: services.database), audit: AuditQuery(client: services.database),
        verifications: services.verifications
    ).register(on: api)
    AuditRoutes(audit: AuditQuery(client: services.database), verification: services.auditVerification).register(on: api)
    StaffTokenRoutes(tokens: services.staffTokens).register(on: api)
    PartnerAdminRoutes(partners: services.partners).register(on: api)
    ReportRoutes(database: services.database, exportDeadline: .seconds(configuration.exportDeadlineSeconds)).register(on: api)

    options.onRoutes(router.routes.map { RoutedOperation(method: $0.method, path: $0.path.description) })
    // Idle connections are closed (CPV_HTTP_IDLE_TIMEOUT_SECONDS): a client cannot hold sockets forever.
    let server = HTTPServerBuilder.http1(
        configuration: HTTP1Channel.Configuration(idleTimeout: TimeAmount.seconds(Int64(configuration.httpIdleTimeoutSeconds))))
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "cpv"),
        services: services.longLivedServices + (options.backgroundServices ? services.backgroundServices(logger: logger) : []),
        onServerRunning: { channel in
            await options.onServerRunning(channel.localAddress?.port ?? configuration.httpPort)
        },
        logger: logger
    )
    if let internalRouter, let internalPort = configuration.internalHTTPPort {
        app.addServices(
            Application(
                router: internalRouter, server: server,
                configuration: .init(address: .hostname(configuration.internalHTTPHost, port: internalPort), serverName: "cpv-internal"),
                onServerRunning: { channel in await options.onInternalServerRunning(channel.localAddress?.port ?? internalPort) },
                logger: logger))
    }
    app.beforeServerStarts {
        if options.migrateOnBoot {
            try await migrations.migrate(client: services.database, logger: logger)
        }
        let status = try await migrations.verify(client: services.database, logger: logger)
        try await DatabaseRoles.warnAboutAuditSeparation(client: services.database, logger: logger)
        if status.pending.isEmpty {
            if let seeded = try await services.seedGrantSet(graphScopes: configuration.graphScopes, logger: logger) {
                logger.notice("seeded grant set version 1 from configuration", metadata: ["cpv.grant_set.version": "\(seeded.version)"])
            }
        } else {
            logger.warning(
                "database schema is behind this binary: /readyz answers not ready until `cpv migrate` runs",
                metadata: ["cpv.migrations.pending": "\(status.pending.count)"])
        }
    }
    return app
}
