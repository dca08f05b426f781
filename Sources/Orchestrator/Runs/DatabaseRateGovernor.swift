import ConsentStore
import Foundation
import Logging

/// What the grantor waits on before each Partner Center consent call, and tells about each 429.
public protocol ConsentCallGate: Sendable {
    /// Returns when the call may go.
    func admit(logger: Logger) async throws
    /// Partner Center answered 429 (with its Retry-After, if any).
    func throttled(retryAfter: TimeInterval?, logger: Logger) async
}

/// The consent budget per application id (Partner Center: 50 requests/s), held in one
/// `rate_buckets` row so that every worker process together stays within it
/// (`CPV_CONSENT_RATE_LIMIT`). A 429 blocks the key until its Retry-After has passed and halves the
/// rate; each granted call adds 1 % of the limit back.
public struct DatabaseRateGovernor: ConsentCallGate {
    let buckets: RateBucketRepository
    public let key: String
    public let ratePerSecond: Double
    let burst: Double
    let minimumRate: Double
    /// Used when a 429 carries no Retry-After.
    let defaultRetryAfter: TimeInterval
    /// Slots reserved per round trip: one below 100 calls/s (Partner Center's real limit is 50/s,
    /// where every call pays its own reservation and holds exactly), up to 64 at high budgets,
    /// where a round trip per call would cost more than the call (ops/benchmarks/regrant-ceiling).
    /// A block never covers more than 20 ms of the budget, so a process that stops needing its
    /// slots wastes at most that.
    let blockSize: Int
    let slots = ReservedSlots()

    /// - Parameters:
    ///   - key: e.g. `consent:<application id>`.
    ///   - burst: calls that may go at once from a full bucket. Default a fifth of a second's
    ///     budget: a whole second's would let several processes start at a multiple of the limit.
    public init(
        buckets: RateBucketRepository, key: String, ratePerSecond: Double, burst: Double? = nil,
        defaultRetryAfter: TimeInterval = 1, minimumRate: Double? = nil
    ) {
        self.buckets = buckets
        self.key = key
        self.ratePerSecond = max(ratePerSecond, 0.01)
        self.burst = max(burst ?? self.ratePerSecond / 5, 1)
        self.defaultRetryAfter = defaultRetryAfter
        self.minimumRate = min(minimumRate ?? self.ratePerSecond / 100, self.ratePerSecond)
        self.blockSize = max(1, min(64, Int(self.ratePerSecond / 50)))
    }

    public func admit(logger: Logger) async throws {
        let slot: ContinuousClock.Instant
        if let reserved = await slots.next() {
            slot = reserved
        } else {
            let now = ContinuousClock.now
            let reservations = try await buckets.reserve(
                key: key, count: blockSize, ratePerSecond: ratePerSecond, capacity: burst, logger: logger)
            slot = await slots.keep(reservations.map { now + $0.wait })
        }
        if slot > .now { try await Task.sleep(until: slot) }
    }

    public func throttled(retryAfter: TimeInterval?, logger: Logger) async {
        // Slots reserved before the 429 would go out inside its Retry-After.
        await slots.drop()
        do {
            try await buckets.throttled(
                key: key, retryAfter: retryAfter ?? defaultRetryAfter, minimumRate: minimumRate, logger: logger)
        } catch {
            // The grantor still honours the Retry-After itself; only the other processes miss out.
            logger.warning("could not record a 429 in the rate bucket", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }
}

/// Slots this process reserved and has not used yet, earliest first.
actor ReservedSlots {
    private var pending: [ContinuousClock.Instant] = []

    func next() -> ContinuousClock.Instant? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    /// Keeps `slots` after any still pending and hands out the earliest.
    func keep(_ slots: [ContinuousClock.Instant]) -> ContinuousClock.Instant {
        pending.append(contentsOf: slots)
        pending.sort()
        return pending.removeFirst()
    }

    func drop() { pending.removeAll() }
}
