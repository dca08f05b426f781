import Foundation

/// Holds "hung" requests until their time is up or the simulator shuts down, whichever comes first,
/// so a hang never delays shutdown and never blocks other requests (each waits on its own task).
final class HangGate: Sendable {
    private struct Waiters: Sendable {
        var next = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<Int> = []
        var released = false
    }

    private let waiters = LockedValue(Waiters())

    func hang(seconds: Int) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            group.addTask { await self.waitForRelease() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRelease() async {
        let id = waiters.withLock { w -> Int in w.next += 1; return w.next }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = waiters.withLock { w -> Bool in
                    if w.released || w.cancelled.remove(id) != nil { return true }
                    w.continuations[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = waiters.withLock { w -> CheckedContinuation<Void, Never>? in
                if let c = w.continuations.removeValue(forKey: id) { return c }
                // Cancelled before the continuation was stored: leave a mark so it resumes at once.
                w.cancelled.insert(id)
                return nil
            }
            c?.resume()
        }
    }

    /// Lets every hung request finish now and any later one finish at once (used at shutdown).
    func shutdown() {
        let all = waiters.withLock { w -> [CheckedContinuation<Void, Never>] in
            w.released = true
            defer { w.continuations.removeAll() }
            return Array(w.continuations.values)
        }
        for c in all { c.resume() }
    }
}
