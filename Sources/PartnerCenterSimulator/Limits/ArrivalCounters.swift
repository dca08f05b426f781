import NIOCore

/// What one rate-limit model remembers about one key. Instants are Unix seconds and never go
/// backwards (the ledger clamps them), so every counter can forget from the front.
protocol ArrivalCounter: Sendable {
    /// Brings the counter to instant `t` (forgets what left the window, refills the bucket).
    mutating func advance(to t: Double, rule: RateLimitRule)
    /// Whether one more call fits now (after `advance`).
    func hasRoom(rule: RateLimitRule) -> Bool
    /// Counts one call at `t` (after `advance`), whether or not it fit.
    mutating func add(at t: Double, rule: RateLimitRule)
    /// Seconds from `t` until one more call fits, if nothing else arrives.
    func secondsUntilRoom(at t: Double, rule: RateLimitRule) -> Double
    /// Entries held, to show that memory stays bounded.
    var entryCount: Int { get }
}

/// Calls in the last `window` seconds, the sliding-window model.
///
/// Calls less than `window / 1000` apart share one entry, which leaves the window with the latest of
/// them: at most about 1,000 entries per key however hard a client hammers (refused calls are counted
/// too), and the rounding errs strict (an entry may stay < 1 ms longer on a 1-second window).
struct SlidingWindowCounter: ArrivalCounter {
    private struct Entry: Sendable {
        var first: Double
        var last: Double
        var count: Int
    }

    private var entries = CircularBuffer<Entry>()
    private(set) var total = 0

    var entryCount: Int { entries.count }

    mutating func advance(to t: Double, rule: RateLimitRule) {
        // Half-open window (t − window, t]: a call exactly one window old has left.
        while let head = entries.first, head.last <= t - rule.window {
            total -= head.count
            entries.removeFirst()
        }
    }

    func hasRoom(rule: RateLimitRule) -> Bool { total < rule.limit }

    mutating func add(at t: Double, rule: RateLimitRule) {
        total += 1
        if let tail = entries.last, t - tail.first < rule.window / 1000 {
            let index = entries.index(before: entries.endIndex)
            entries[index].last = max(tail.last, t)
            entries[index].count += 1
        } else {
            entries.append(Entry(first: t, last: t, count: 1))
        }
    }

    func secondsUntilRoom(at t: Double, rule: RateLimitRule) -> Double {
        // Room means at most limit − 1 calls left in the window. Walking from the newest end, the
        // entry that brings the count to `limit` is the one that must leave: at most `limit` steps,
        // however many refused calls the window holds.
        guard total >= rule.limit else { return 0 }
        var newer = 0
        var index = entries.endIndex
        while index != entries.startIndex {
            index = entries.index(before: index)
            newer += entries[index].count
            if newer >= rule.limit { return entries[index].last + rule.window - t }
        }
        return rule.window
    }
}

/// Calls in the current calendar window (`floor(t / window)`), the fixed-window model.
struct FixedWindowCounter: ArrivalCounter {
    private var windowIndex = -Double.infinity
    private(set) var count = 0

    var entryCount: Int { 1 }

    mutating func advance(to t: Double, rule: RateLimitRule) {
        let index = (t / rule.window).rounded(.down)
        if index != windowIndex {
            windowIndex = index
            count = 0
        }
    }

    func hasRoom(rule: RateLimitRule) -> Bool { count < rule.limit }

    mutating func add(at t: Double, rule: RateLimitRule) { count += 1 }

    func secondsUntilRoom(at t: Double, rule: RateLimitRule) -> Double {
        hasRoom(rule: rule) ? 0 : (windowIndex + 1) * rule.window - t
    }
}

/// A bucket of `limit` tokens refilled continuously at `limit` per window, the token-bucket model.
///
/// A counted call that finds no token still takes one: the level may fall to −limit (one burst of
/// debt), so a client that keeps calling while refused stays refused, as under the sliding window,
/// yet is whole again within two windows of stopping.
struct TokenBucketCounter: ArrivalCounter {
    private var tokens: Double?
    private var refilledAt = -Double.infinity

    var entryCount: Int { 1 }

    mutating func advance(to t: Double, rule: RateLimitRule) {
        let capacity = Double(rule.limit)
        let level = tokens ?? capacity
        let elapsed = max(0, t - refilledAt)
        tokens = min(capacity, level + elapsed * capacity / rule.window)
        refilledAt = t
    }

    func hasRoom(rule: RateLimitRule) -> Bool { (tokens ?? Double(rule.limit)) >= 1 }

    mutating func add(at t: Double, rule: RateLimitRule) {
        tokens = max(-Double(rule.limit), (tokens ?? Double(rule.limit)) - 1)
    }

    func secondsUntilRoom(at t: Double, rule: RateLimitRule) -> Double {
        let level = tokens ?? Double(rule.limit)
        return level >= 1 ? 0 : (1 - level) * rule.window / Double(rule.limit)
    }
}
