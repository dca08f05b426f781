import ConsentStore
import Logging

/// Group commit for the consent writes of one process: while one batch is being written, the
/// writes that arrive wait, and the next batch takes them all in one statement
/// (`ConsentStateRepository.apply(_:)`). Every caller still returns only once its own write has
/// committed, so a `*.requested` event is durable before its call goes out, as without batching.
///
/// Why: each write takes the audit chain head and the partner's coverage counter rows until it
/// commits, so writes one statement each queue behind each other on those rows (in the ceiling
/// benchmark most busy backends waited there, `Lock:tuple`). In a batch they are taken once.
///
/// No background task: the first writer to find nobody writing leads. It writes its own write
/// with whatever is waiting, then hands the lead to the oldest write still waiting (which takes
/// everything that queued meanwhile), so a leader never works for longer than its own batch.
public actor ConsentWriteBatcher {
    let repository: ConsentStateRepository
    /// Writes per statement: about 40 bind parameters each, far below PostgreSQL's 65,535.
    let maxBatch: Int
    /// A batch that gets no answer is abandoned (see `withDeadline`): without it, one statement
    /// hung in PostgresNIO would leave every later writer of the process waiting behind it.
    let deadline: Duration

    /// Statements written so far (batches, and single writes after a failed batch).
    public private(set) var statements = 0
    private var leading = false
    private var waiting: [Waiting] = []

    private struct Waiting {
        let write: ConsentWrite
        let continuation: CheckedContinuation<Role, any Error>
    }

    private enum Role {
        case written
        case lead
    }

    public init(repository: ConsentStateRepository, maxBatch: Int = 64, deadline: Duration = .seconds(30)) {
        self.repository = repository
        self.maxBatch = max(maxBatch, 1)
        self.deadline = deadline
    }

    /// Writes `change` and `audit` for the customer, in a batch with others' writes; returns once
    /// committed, throws what the database said about this write.
    public func apply(customerID: Int64, change: ConsentStateChange?, audit: [AuditRecord], logger: Logger) async throws {
        let write = ConsentWrite(customerID: customerID, change: change, audit: audit)
        guard write.change != nil || !write.audit.isEmpty else { return }
        if leading {
            let role = try await withCheckedThrowingContinuation { continuation in
                waiting.append(Waiting(write: write, continuation: continuation))
            }
            if case .written = role { return }
        } else {
            leading = true
        }
        // Leading: this write first, then the waiting ones (each customer once per statement).
        var batch: [Waiting] = []
        var customers: Set<Int64> = [write.customerID]
        var rest: [Waiting] = []
        for item in waiting {
            if batch.count + 1 < maxBatch, customers.insert(item.write.customerID).inserted {
                batch.append(item)
            } else {
                rest.append(item)
            }
        }
        waiting = rest
        let result = await flush(own: write, with: batch, logger: logger)
        if waiting.isEmpty {
            leading = false
        } else {
            waiting.removeFirst().continuation.resume(returning: .lead)
        }
        try result.get()
    }

    /// Writes the batch; the others' callers are resumed here, the leader's result returned.
    private func flush(own: ConsentWrite, with others: [Waiting], logger: Logger) async -> Result<Void, any Error> {
        let repository = repository
        let writes = [own] + others.map(\.write)
        do {
            statements += 1
            try await withDeadline(deadline) { try await repository.apply(writes, logger: logger) }
            for item in others { item.continuation.resume(returning: .written) }
            return .success(())
        } catch let error as DeadlineExceeded {
            // The statement may or may not have committed: writing each again could duplicate
            // events, so every write of the batch fails and its task is retried.
            for item in others { item.continuation.resume(throwing: error) }
            return .failure(error)
        } catch {
            guard !others.isEmpty else { return .failure(error) }
            // The statement failed as a whole (nothing committed): each write again on its own,
            // so that only the write at fault fails.
            logger.debug("a batch of consent writes failed; writing them one by one", metadata: ["cpv.error": "\(error)"])
            for item in others {
                statements += 1
                do {
                    try await withDeadline(deadline) { try await repository.apply([item.write], logger: logger) }
                    item.continuation.resume(returning: .written)
                } catch {
                    item.continuation.resume(throwing: error)
                }
            }
            statements += 1
            do {
                try await withDeadline(deadline) { try await repository.apply([own], logger: logger) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
    }
}
