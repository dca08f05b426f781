import Foundation

/// Token buckets keyed by application id or partner tenant (reference §4.4).
///
/// A bucket holds `capacity` tokens and refills continuously; a request that finds no token is
/// told how many whole seconds (at least 1) until one is back. Checked before any state changes.
final class RateLimiter: Sendable {
    struct Bucket: Sendable {
        var tokens: Double
        var updatedAt: Date
    }

    enum Decision: Equatable, Sendable {
        case allowed
        case throttled(retryAfterSeconds: Int)
    }

    private let buckets = LockedValue<[String: Bucket]>([:])

    func take(key: String, capacity: Int, perSecond: Double, now: Date) -> Decision {
        guard capacity > 0, perSecond > 0 else { return .allowed }
        return buckets.withLock { all in
            var bucket = all[key] ?? Bucket(tokens: Double(capacity), updatedAt: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updatedAt))
            bucket.tokens = min(Double(capacity), bucket.tokens + elapsed * perSecond)
            bucket.updatedAt = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                all[key] = bucket
                return .allowed
            }
            all[key] = bucket
            let wait = (1 - bucket.tokens) / perSecond
            return .throttled(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }

    func reset() { buckets.withLock { $0.removeAll() } }
}
