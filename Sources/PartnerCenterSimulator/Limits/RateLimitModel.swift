/// How Partner Center might enforce "N requests per window". Microsoft documents only the numbers
/// (50 per second per application id for applicationconsents, 500 per minute per tenant for the
/// Customer resource, reference §4.4), not the algorithm, so the simulator offers each plausible
/// reading; the strictest one is the default.
public enum RateLimitModel: String, Codable, Sendable, CaseIterable {
    /// At most `limit` calls in any half-open window (t − window, t]. No burst ever exceeds the limit,
    /// whatever the alignment, so a client that passes here passes every other reading: the default.
    case slidingWindow = "sliding-window"
    /// At most `limit` calls per calendar window of the simulator's clock (each second, each minute).
    /// Lets through 2 × limit calls within moments around a boundary.
    case fixedWindow = "fixed-window"
    /// A bucket of `limit` tokens refilled at `limit` per window: a burst of `limit`, then the rate
    /// (the model of the client's own governor, which is why it cannot be the default).
    case tokenBucket = "token-bucket"
}

/// One limit as a ledger applies it: consents use a 1-second window, customer reads a 60-second one.
struct RateLimitRule: Sendable, Equatable {
    var model: RateLimitModel
    /// Calls per window; 0 or less means no limit.
    var limit: Int
    /// Seconds.
    var window: Double
    /// True: a refused call still occupies the window (Microsoft: "every request counts").
    var countRejected: Bool
}

/// The calls of another client of the same application: `callsPerSecond`, evenly spaced, the k-th
/// (k ≥ 1) at `since + k / callsPerSecond` (Unix seconds on the simulator's clock).
struct OtherConsumerSchedule: Sendable, Equatable {
    var callsPerSecond: Double
    var since: Double
}
