import Logging

/// Group commit: while one batch is being written, the writes that arrive wait, and the next batch
/// takes them all in one statement. Every caller returns only once its own write has committed,
/// with its own outcome, as if it had written alone.
///
/// No background task: the first writer to find nobody writing leads. It writes its own write
/// with whatever is waiting, then hands the lead to the oldest write still waiting (which takes
/// everything that queued meanwhile), so a leader never works for longer than its own batch.
actor GroupCommit<Write: Sendable, Outcome: Sendable> {
    /// Writes a batch in one statement and returns one outcome per write, in order. Logs with the
    /// leading caller's logger.
    typealias Writer = @Sendable ([Write], Logger) async throws -> [Outcome]

    let maxBatch: Int
    /// A batch that gets no answer is abandoned (see `withDeadline`): without it, one statement
    /// hung in PostgresNIO would leave every later writer of the process waiting behind it.
    let deadline: Duration
    /// Writes with the same key never share a statement (an upsert cannot change one row twice).
    let key: @Sendable (Write) -> Int64
    let writer: Writer

    /// Statements written so far (batches, and single writes after a failed batch).
    private(set) var statements = 0
    private var leading = false
    private var waiting: [Waiting] = []

    private struct Waiting {
        let write: Write
        let continuation: CheckedContinuation<Role, any Error>
    }

    private enum Role {
        case written(Outcome)
        case lead
    }

    init(maxBatch: Int, deadline: Duration, key: @escaping @Sendable (Write) -> Int64, writer: @escaping Writer) {
        self.maxBatch = max(maxBatch, 1)
        self.deadline = deadline
        self.key = key
        self.writer = writer
    }

    /// Writes `write` in a batch with others' writes; returns its outcome once committed, throws
    /// what the database said about this write.
    func submit(_ write: Write, logger: Logger) async throws -> Outcome {
        if leading {
            let role = try await withCheckedThrowingContinuation { continuation in
                waiting.append(Waiting(write: write, continuation: continuation))
            }
            if case .written(let outcome) = role { return outcome }
        } else {
            leading = true
        }
        // Leading: this write first, then the waiting ones.
        var batch: [Waiting] = []
        var keys: Set<Int64> = [key(write)]
        var rest: [Waiting] = []
        for item in waiting {
            if batch.count + 1 < maxBatch, keys.insert(key(item.write)).inserted {
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
        return try result.get()
    }

    /// Writes the batch; the others' callers are resumed here, the leader's result returned.
    private func flush(own: Write, with others: [Waiting], logger: Logger) async -> Result<Outcome, any Error> {
        let writer = writer
        let writes = [own] + others.map(\.write)
        do {
            statements += 1
            let outcomes = try await withDeadline(deadline) { try await writer(writes, logger) }
            precondition(outcomes.count == writes.count, "a group-commit writer returned \(outcomes.count) outcomes for \(writes.count) writes")
            for (item, outcome) in zip(others, outcomes.dropFirst()) { item.continuation.resume(returning: .written(outcome)) }
            return .success(outcomes[0])
        } catch let error as DeadlineExceeded {
            // The statement may or may not have committed: writing each again could write twice,
            // so every write of the batch fails and its caller decides.
            for item in others { item.continuation.resume(throwing: error) }
            return .failure(error)
        } catch {
            guard !others.isEmpty else { return .failure(error) }
            // The statement failed as a whole (nothing committed): each write again on its own,
            // so that only the write at fault fails.
            for item in others {
                statements += 1
                do {
                    let outcome = try await withDeadline(deadline) { try await writer([item.write], logger) }
                    item.continuation.resume(returning: .written(outcome[0]))
                } catch {
                    item.continuation.resume(throwing: error)
                }
            }
            statements += 1
            do {
                return .success(try await withDeadline(deadline) { try await writer([own], logger) }[0])
            } catch {
                return .failure(error)
            }
        }
    }
}
