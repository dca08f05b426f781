import Foundation

/// Spaces requests per key (a partner) so that no more than `limit` start in any `window`.
///
/// Partner Center allows 500 customer requests per minute per partner tenant (§4.4); pacing at that
/// rate is cheaper than collecting 429s. In-process only: two processes syncing the same partner
/// at once would each pace alone, and the 429 handling in `CustomerSync` covers that rare case.
public actor RequestPacer {
    private let interval: Duration
    private var nextSlot: [UUID: ContinuousClock.Instant] = [:]

    public init(limit: Int = 500, window: Duration = .seconds(60)) {
        self.interval = window / max(limit, 1)
    }

    /// Waits until the key's next slot, then returns. Throws if the task is cancelled while waiting.
    public func wait(for key: UUID) async throws {
        let now = ContinuousClock.now
        let slot = max(now, nextSlot[key] ?? now)
        nextSlot[key] = slot + interval
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
