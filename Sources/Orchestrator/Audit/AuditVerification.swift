import ConsentStore
import Logging
import PostgresNIO

/// Walks the audit chain on request (`GET /api/v1/audit/verify`, the console, `cpv audit verify`),
/// one walk at a time per process.
///
/// A walk reads the whole trail, millions of rows; requests that arrive while one is running wait
/// for its report instead of starting another scan, so repeated clicks or a scripted loop cannot
/// stack full-table reads on the database. No background task: the first caller walks and hands
/// its result to everyone who joined meanwhile.
public actor AuditVerification {
    let client: PostgresClient
    let keys: AuditKeyRing
    let expectedUnkeyedEvents: Int64?
    private var joined: [CheckedContinuation<AuditChainVerifier.Report, any Error>]?

    /// Walks started, and requests that shared a walk another request had started.
    public private(set) var walks = 0
    public private(set) var shared = 0

    public init(client: PostgresClient, keys: AuditKeyRing, expectedUnkeyedEvents: Int64?) {
        self.client = client
        self.keys = keys
        self.expectedUnkeyedEvents = expectedUnkeyedEvents
    }

    public func verify(logger: Logger) async throws -> AuditChainVerifier.Report {
        if joined != nil {
            shared += 1
            return try await withCheckedThrowingContinuation { continuation in joined?.append(continuation) }
        }
        joined = []
        walks += 1
        let result: Result<AuditChainVerifier.Report, any Error>
        do {
            result = .success(
                try await AuditChainVerifier.verify(client: client, keys: keys, expectedUnkeyedEvents: expectedUnkeyedEvents, logger: logger))
        } catch {
            result = .failure(error)
        }
        let waiting = joined ?? []
        joined = nil
        for continuation in waiting { continuation.resume(with: result) }
        return try result.get()
    }
}
