import Foundation

/// What one window of reserved slots saw once its calls were answered: how many calls had a slot
/// in it, how many of those Partner Center answered 429, and the longest Retry-After among them.
/// Windows are counted by slot, not by answer, so a window's 429s belong to the rate it was sent at.
public struct RateWindow: Sendable, Equatable, Codable {
    /// Start of the window on the database clock.
    public var start: Date
    /// Answered calls whose slot fell in the window (429s included).
    public var calls: Int
    /// Of those, the ones answered 429.
    public var throttled: Int
    /// The longest Retry-After (seconds) among the window's 429s.
    public var maxRetryAfter: TimeInterval?
    /// The window's length (seconds): the budget's window.
    public var length: TimeInterval

    public init(start: Date, calls: Int, throttled: Int, maxRetryAfter: TimeInterval? = nil, length: TimeInterval = 1) {
        self.start = start
        self.length = max(length, 0.001)
        self.calls = max(calls, 0)
        self.throttled = min(max(throttled, 0), max(calls, 0))
        self.maxRetryAfter = maxRetryAfter
    }

    /// The share of the window's calls that were throttled (0 when it had none).
    public var share: Double { calls > 0 ? Double(throttled) / Double(calls) : 0 }
    /// The rate the fleet actually sent at in the window (calls per second), which is below the
    /// controller's rate when the work, not the budget, set the pace.
    public var sentRate: Double { Double(calls) / length }
}

/// What the controller decided for one window.
public struct RateDecision: Sendable, Equatable {
    /// Why the rate is what it is after this window; logged and counted in metrics.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        /// No answered call in the window.
        case idle
        /// The window's calls left before the last decrease: it says nothing about the new rate.
        case stale
        /// A probe-down is under way: the window is evidence for it.
        case probing
        /// The probe-down showed the 429s do not follow our rate: the rate is restored.
        case noise
        /// Most calls throttled: the rate halves and the whole fleet pauses for the Retry-After.
        case storm
        /// Throttled beyond the noise where congestion was recently confirmed: a gentle cut.
        case decrease
        /// Throttled beyond the noise with no recent confirmation: the rate halves to find out.
        case probeDown
        /// Clean, below the last congestion point: back towards it quickly.
        case recover
        /// Clean, at the last congestion point: staying a while before probing past it.
        case hold
        /// Clean, but the last raise has not been seen answered yet.
        case wait
        /// Clean, near the last congestion point: one small step.
        case creep
        /// Clean, no congestion point known: growing steps up to the ceiling.
        case probe
    }

    public var rate: Double
    /// Every process should send nothing for this long (seconds): set on storms only.
    public var pause: TimeInterval?
    public var reason: Reason
}
