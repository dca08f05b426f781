import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The process-wide client for Microsoft's endpoints (and the simulator standing in for them).
    ///
    /// Like `HTTPClient.shared`, a global that is never shut down, so no code path (a failed boot,
    /// a test that throws before its services start) can leak it. Unlike it, it keeps a connection
    /// per call in flight: AsyncHTTPClient's default of 8 HTTP/1.1 connections per host queued every
    /// call past the eighth, which capped a worker at 8 consent calls in flight whatever
    /// `CPV_WORKERS` said: 8 customers/s at Partner Center's usual 500 ms, 4 at 1 s, a third of the
    /// limit (measured: ops/benchmarks/regrant-matrix, lognormal cells, 7.9 customers/s with 119
    /// tasks in flight). HTTP/2 endpoints multiplex on one connection and never reach the limit.
    public static let microsoft: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        // CPV_WORKERS is at most 1,024 tasks per process, each with one call in flight at a time,
        // plus token redemptions and Graph reads beside them.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1_100)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
