import Foundation
import Synchronization
import Testing

@testable import Orchestrator

/// `withDeadline` gives the caller back its answer, or its control once the deadline has passed,
/// even when the operation ignores cancellation (the PostgresNIO hang it exists for).
@Suite(.timeLimit(.minutes(1))) struct DeadlineTests {
    /// A wait that only `release()` ends: cancellation does not.
    final class Gate: Sendable {
        private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let opened = Mutex(false)

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = opened.withLock { $0 }
                if open { continuation.resume() } else { waiter.withLock { $0 = continuation } }
            }
        }

        func release() {
            opened.withLock { $0 = true }
            waiter.withLock { waiter in
                waiter?.resume()
                waiter = nil
            }
        }
    }

    @Test func anOperationThatFinishesInTimeReturnsItsValue() async throws {
        let value = try await withDeadline(.seconds(30)) { 42 }
        #expect(value == 42)
    }

    @Test func anOperationsErrorIsThrownAsItIs() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await withDeadline(.seconds(30)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test func anOperationThatIgnoresCancellationIsAbandonedAtTheDeadline() async throws {
        // given an operation that would wait until the test releases it, after the call has returned
        let gate = Gate()
        let finished = Mutex(false)

        // when
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) {
                await gate.wait()
                finished.withLock { $0 = true }
                return 1
            }
        }

        // then the caller got control back while the operation was still waiting (a task group
        // would have waited for it, and this test would hit its time limit)
        #expect(finished.withLock { $0 } == false)
        gate.release()
    }

    @Test func aCancelledCallerIsReleasedAtOnce() async throws {
        let gate = Gate()
        let call = Task {
            try await withDeadline(.seconds(600)) {
                await gate.wait()
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        gate.release()
    }
}
