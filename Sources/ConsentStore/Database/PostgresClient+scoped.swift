import Logging
import PostgresNIO

/// Runs `body` with a `PostgresClient` that is running for exactly that long.
///
/// For one-shot commands (`cpv migrate`, `cpv report`) and tests; long-lived processes run the
/// client as a `Service` in their service group instead.
@discardableResult
public func withPostgresClient<T>(
    _ configuration: PostgresClient.Configuration,
    logger: Logger,
    _ body: (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
