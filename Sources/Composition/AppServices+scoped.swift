import ConsentStore
import Logging
import ServiceLifecycle
import Synchronization

extension AppServices {
    /// Runs `body` with the services graph alive (database pool, HTTP client), for one-shot
    /// commands such as `cpv tokens create` or `cpv keys rotate`; everything stops afterwards.
    ///
    /// `body` runs as the last service of the group rather than beside it: the group starts its
    /// services in order, so the database pool is already running when `body` first leases a
    /// connection (PostgresNIO warns about a lease before `run()`, which users then see on every
    /// one-shot command).
    public static func with<T: Sendable>(
        configuration: AppConfiguration, logger: Logger, _ body: @escaping @Sendable (AppServices) async throws -> T
    ) async throws -> T {
        // One direct connection first: an unreachable database is one clear line (exit 69), not
        // a minute of the pool's retries ending in "circuit breaker tripped".
        try await DatabaseProbe.check(configuration.database, logger: logger)
        let services = try AppServices(configuration: configuration, logger: logger)
        let work = ScopedWork { try await body(services) }
        let group = ServiceGroup(configuration: .init(
            services: services.longLivedServices.map { .init(service: $0) }
                + [.init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [], logger: logger))
        try await group.run()
        return try work.result()
    }
}

/// The body of `AppServices.with` as a `Service`, keeping its result or error for the caller.
private final class ScopedWork<T: Sendable>: Service, Sendable {
    private let body: @Sendable () async throws -> T
    private let outcome = Mutex<Result<T, any Error>?>(nil)

    init(_ body: @escaping @Sendable () async throws -> T) { self.body = body }

    func run() async throws {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        // Ending normally either way: the group shuts down and `result()` rethrows the error, so
        // callers see the body's own error rather than a ServiceGroup wrapper.
    }

    func result() throws -> T {
        guard let outcome = outcome.withLock({ $0 }) else { throw CancellationError() }
        return try outcome.get()
    }
}
