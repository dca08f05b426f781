import Foundation

/// How long to wait before retrying a failed call: exponential, capped, jittered, and never earlier
/// than a server's `Retry-After`. Pure: the random number is passed in, so tests are deterministic.
public struct BackoffPolicy: Sendable, Equatable, Codable {
    /// How the exponential delay is spread so that many tasks failing together do not retry together.
    public enum Jitter: String, Sendable, Equatable, Codable {
        /// Anywhere in `0 ..< delay` (AWS "full jitter": least contention, sometimes retries at once).
        case full
        /// In `delay/2 ..< delay`: never retries sooner than half the delay.
        case equal
        /// Exactly the exponential delay; for tests and tooling.
        case none
    }

    /// Delay before the first retry, in seconds.
    public var base: TimeInterval
    /// No exponential delay exceeds this, in seconds. `Retry-After` may (we never retry early).
    public var cap: TimeInterval
    /// Failed attempts allowed, the first call included; after that the task gives up.
    public var maxAttempts: Int
    public var jitter: Jitter
    /// Upper bound of the small random delay added to a `Retry-After`, in seconds, so that every task
    /// throttled by the same 429 does not return in the same instant.
    public var retryAfterJitter: TimeInterval

    public init(base: TimeInterval, cap: TimeInterval, maxAttempts: Int, jitter: Jitter, retryAfterJitter: TimeInterval) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
        self.jitter = jitter
        self.retryAfterJitter = retryAfterJitter
    }

    /// Base 2 s, cap 5 min, 8 attempts, equal jitter, Retry-After jitter up to 1 s. Eight attempts
    /// wait about 2+4+8+16+32+64+128 s ≈ 4 min in all before giving up, long enough to ride out
    /// a short Partner Center outage, short enough that a run does not hang on one customer.
    public static let `default` = BackoffPolicy(base: 2, cap: 300, maxAttempts: 8, jitter: .equal, retryAfterJitter: 1)

    /// For one consent call: base 0.5 s, cap 30 s, 8 attempts (about a minute of waits in all),
    /// Retry-After jitter up to 0.5 s. Shorter than `default` because every retry also waits for
    /// its slot in the shared budget: the budget, not the backoff, keeps the fleet within Partner
    /// Center's limit, so the backoff only spaces out one call's retries. A long backoff would
    /// hold tasks (and the end of a run) for a sporadic 5xx: with 10 % of calls failing, a
    /// 2 s base left the run's last tasks waiting up to half a minute.
    public static let consentCalls = BackoffPolicy(base: 0.5, cap: 30, maxAttempts: 8, jitter: .equal, retryAfterJitter: 0.5)

    /// For one page of a customer listing: 5 attempts, waits of 0.5, 1, 2 and 4 s with equal
    /// jitter. A sync that stopped at one 5xx would leave the whole listing undone.
    public static let listingPages = BackoffPolicy(base: 0.5, cap: 4, maxAttempts: 5, jitter: .equal, retryAfterJitter: 0)

    /// Delay after the `attempt`-th failure (1-based): `min(cap, base · 2^(attempt-1))`, jittered.
    /// `random` is a number in `0..<1` (clamped if outside).
    public func delay(attempt: Int, random: Double) -> TimeInterval {
        let exponent = Double(min(max(attempt, 1) - 1, 62))
        let exponential = min(cap, base * pow(2, exponent))
        let unit = Self.clamp(random)
        switch jitter {
        case .full: return exponential * unit
        case .equal: return exponential / 2 + exponential / 2 * unit
        case .none: return exponential
        }
    }

    /// Delay after a failure that carried a `Retry-After`: never earlier than it (plus a small
    /// positive jitter), and never shorter than the exponential delay for this attempt either.
    public func delay(attempt: Int, retryAfter: TimeInterval?, random: Double) -> TimeInterval {
        let backoff = delay(attempt: attempt, random: random)
        guard let retryAfter, retryAfter.isFinite, retryAfter >= 0 else { return backoff }
        return max(backoff, retryAfter + retryAfterJitter * Self.clamp(random))
    }

    private static func clamp(_ random: Double) -> Double {
        guard random.isFinite else { return 0 }
        return min(max(random, 0), 1)
    }
}
