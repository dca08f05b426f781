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
        let (started, signal) = AsyncStream<Void>.makeStream()
        group.addTask {
            signal.finish()
            await client.run()
        }
        defer { group.cancelAll() }
        // PostgresNIO warns on a lease before `run()` has been called, which every one-shot command
        // and test then printed: wait until the child task is running. `run()` marks the client
        // running before its first suspension, so it is marked long before this task resumes.
        for await _ in started {}
        return try await body(client)
    }
}
