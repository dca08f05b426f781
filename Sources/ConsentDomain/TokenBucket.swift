import Foundation

/// A rate limiter for calls sharing one limit (e.g. Partner Center's 50 requests/s per CPV app),
/// with an adaptive rate: a 429 halves it, each success adds a little back (AIMD), up to the
/// configured limit. Pure, and all stored properties are plain numbers and dates because the
/// orchestrator keeps one per key as a database row, so the limit holds across processes.
public struct TokenBucket: Sendable, Equatable, Codable {
    /// Whether a call may go now.
    public enum Decision: Sendable, Equatable {
        case granted
        /// Ask again at this time, not before.
        case wait(until: Date)
    }

    /// Largest burst, in calls.
    public var capacity: Double
    /// The configured limit, in calls per second; the adaptive rate never exceeds it.
    public var maximumRate: Double
    /// The adaptive rate never falls below this, so a throttled key still recovers.
    public var minimumRate: Double
    /// Multiplier applied to the rate on a 429 (multiplicative decrease).
    public var decreaseFactor: Double
    /// Calls per second added to the rate on each success (additive increase).
    public var increaseStep: Double

    /// Current adaptive rate, in calls per second.
    public private(set) var rate: Double
    /// Tokens available at `updatedAt`.
    public private(set) var tokens: Double
    public private(set) var updatedAt: Date
    /// Nothing is granted before this (a 429's `Retry-After`).
    public private(set) var throttledUntil: Date?

    /// A full bucket at the configured rate. Defaults: halve on 429, add 1 % of the limit per success,
    /// so the rate climbs back from half to full in about 50 successes.
    public init(
        capacity: Double, ratePerSecond: Double, now: Date, minimumRate: Double? = nil,
        decreaseFactor: Double = 0.5, increaseStep: Double? = nil
    ) {
        self.capacity = max(capacity, 1)
        self.maximumRate = max(ratePerSecond, .leastNonzeroMagnitude)
        // Never zero: the wait for the next token divides by the rate.
        self.minimumRate = max(min(minimumRate ?? self.maximumRate / 100, self.maximumRate), .leastNormalMagnitude)
        self.decreaseFactor = min(max(decreaseFactor, 0.01), 1)
        self.increaseStep = increaseStep ?? self.maximumRate / 100
        self.rate = self.maximumRate
        self.tokens = self.capacity
        self.updatedAt = now
        self.throttledUntil = nil
    }

    /// A bucket restored from its stored row, exactly as it was saved.
    public init(
        capacity: Double, maximumRate: Double, minimumRate: Double, decreaseFactor: Double, increaseStep: Double,
        rate: Double, tokens: Double, updatedAt: Date, throttledUntil: Date?
    ) {
        self.capacity = capacity
        self.maximumRate = maximumRate
        self.minimumRate = minimumRate
        self.decreaseFactor = decreaseFactor
        self.increaseStep = increaseStep
        self.rate = rate
        self.tokens = tokens
        self.updatedAt = updatedAt
        self.throttledUntil = throttledUntil
    }

    /// Takes one token if there is one; otherwise says when to come back.
    public mutating func take(now: Date) -> Decision {
        if let throttledUntil, now < throttledUntil {
            return .wait(until: throttledUntil)
        }
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .granted
        }
        let missing = 1 - tokens
        // A restored row could hold a zero rate; wait a second rather than divide by zero.
        let wait = rate > 0 ? missing / rate : 1
        return .wait(until: max(now, updatedAt).addingTimeInterval(wait))
    }

    /// A 429 arrived: grant nothing before `until`, start empty after it, and lower the rate.
    /// Calls already in flight often come back 429 together; a 429 whose wait ends within the
    /// current throttle window does not cut the rate again, so one burst counts as one signal.
    public mutating func throttle(until: Date) {
        let alreadyThrottled = throttledUntil.map { until <= $0 } ?? false
        throttledUntil = max(throttledUntil ?? until, until)
        tokens = 0
        updatedAt = max(updatedAt, until)
        if !alreadyThrottled {
            rate = max(minimumRate, rate * decreaseFactor)
        }
    }

    /// A call went through: raise the rate a little, up to the configured limit.
    public mutating func recordSuccess() {
        rate = min(maximumRate, rate + increaseStep)
    }

    private mutating func refill(now: Date) {
        // A clock that steps back (another process, NTP) adds nothing rather than removing tokens.
        guard now > updatedAt else { return }
        tokens = min(capacity, tokens + now.timeIntervalSince(updatedAt) * rate)
        updatedAt = now
    }
}
