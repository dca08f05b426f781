import Synchronization

/// Runs `operation` and returns its result, or throws `DeadlineExceeded` once `limit` has passed
/// (cancelling the operation), or `CancellationError` as soon as the caller is cancelled.
///
/// Why the workers need it, and why it is not a task group: after PostgreSQL restarts, a query
/// sent on a connection that was closing at that moment can wait for ever in PostgresNIO (seen in
/// RunCrashTests' restart test on a loaded machine: tasks whose DELETE or POST had just been
/// answered never returned from the next statement, the run stalled with every worker slot held).
/// That wait ignores cancellation, and a task group cannot return before its children do. So the
/// operation runs in an unstructured task that the caller stops waiting for at the deadline: a
/// hung operation is abandoned (cancelled, and left to finish or not: one leaked task per hung
/// call), and the worker loop gets its slot back, reports the failure and tries again on a fresh
/// connection. An operation that finishes in time is all the caller ever sees.
///
/// The readiness probe (`/readyz`) uses it too: a probe stuck the same way would never answer.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = OneShot<T>()
    let work = Task {
        do { outcome.deliver(.success(try await operation())) } catch { outcome.deliver(.failure(error)) }
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        outcome.deliver(.failure(DeadlineExceeded(limit: limit)))
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await outcome.value()
    } onCancel: {
        work.cancel()
        outcome.deliver(.failure(CancellationError()))
    }
}

/// An operation took longer than its deadline and was abandoned.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no answer within \(limit) (abandoned)" }
}

/// The first result delivered, handed to the one waiter whichever comes first.
private final class OneShot<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, any Error>)
        case delivered(Result<T, any Error>)
        case done
    }

    private let state = Mutex<State>(.empty)

    /// Later deliveries are ignored.
    func deliver(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .delivered(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .delivered, .done:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Called once.
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { state in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .delivered(let result):
                    state = .done
                    return result
                case .waiting, .done:
                    preconditionFailure("OneShot.value() called twice")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
