import ConsentStore
import Logging

/// Group commit for the consent writes of one process (`GroupCommit`): the waiting tasks' state
/// changes and audit events go out in one statement (`ConsentStateRepository.apply(_:)`), and
/// each caller returns once its own write has committed, so a `*.requested` event is durable
/// before its call goes out, as without batching.
///
/// Why: each write takes the audit chain head and the partner's coverage counter rows until it
/// commits, so writes of one statement each queued behind each other on those rows (in the
/// ceiling benchmark most busy backends waited there, `Lock:tuple`). In a batch they are taken
/// once. A statement the database refuses is retried write by write, so only the faulty write
/// fails; a batch without an answer within the deadline fails every write in it.
public struct ConsentWriteBatcher: Sendable {
    private let group: GroupCommit<ConsentWrite, Void>

    /// - Parameter maxBatch: writes per statement, about 40 bind parameters each (PostgreSQL
    ///   allows 65,535).
    public init(repository: ConsentStateRepository, maxBatch: Int = 64, deadline: Duration = .seconds(30)) {
        group = GroupCommit(maxBatch: maxBatch, deadline: deadline, key: \.customerID) { writes, logger in
            try await repository.apply(writes, logger: logger)
            return writes.map { _ in () }
        }
    }

    /// Statements written so far.
    public var statements: Int { get async { await group.statements } }

    /// Writes `change` and `audit` for the customer, in a batch with others' writes; returns once
    /// committed, throws what the database said about this write.
    public func apply(
        customerID: Int64, change: ConsentStateChange?, audit: [AuditRecord], verification: VerificationWrite? = nil, logger: Logger
    ) async throws {
        guard change != nil || !audit.isEmpty || verification != nil else { return }
        try await group.submit(ConsentWrite(customerID: customerID, change: change, audit: audit, verification: verification), logger: logger)
    }
}
