import Logging
import ServiceLifecycle

extension AppServices {
    /// Runs `body` with the services graph alive (database pool, HTTP client), for one-shot
    /// commands such as `cpv tokens create` or `cpv keys rotate`; everything stops afterwards.
    public static func with<T: Sendable>(
        configuration: AppConfiguration, logger: Logger, _ body: @Sendable (AppServices) async throws -> T
    ) async throws -> T {
        let services = try AppServices(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: services.longLivedServices, gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(services)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
