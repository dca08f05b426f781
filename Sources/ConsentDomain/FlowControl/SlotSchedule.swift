import Foundation

/// The budget's schedule of call slots, as virtual scheduling (the generic cell rate algorithm):
/// each reservation advances a theoretical arrival time by one interval at the current rate, and a
/// slot may come at most `burst - 1` intervals of the ceiling earlier than it. The same arithmetic
/// runs inside one SQL statement (`RateBucketRepository.reserve`); this copy is what the property
/// tests check the window guarantee on.
///
/// The guarantee: whatever the rate does below `ceiling`, whatever the reservers' clocks read and
/// however reservations are grouped into blocks, no window of `w` seconds holds more than
/// `floor(ceiling × w) + burst` slots. Proof sketch: consecutive theoretical arrivals are at least
/// 1/ceiling apart and every slot is at most `tau` before its own; so slots j < m satisfy
/// `slot_m − slot_j ≥ (m − j)/ceiling − tau`, and m − j + 1 slots in a window w need
/// `(m − j)/ceiling − tau ≤ w`.
public struct SlotSchedule: Sendable, Equatable {
    /// The highest rate ever used, calls per second: the bound is computed for it.
    public let ceiling: Double
    /// Calls that may start together from an idle schedule (at least 1).
    public let burst: Int
    /// The theoretical arrival time of the next call.
    public private(set) var next: Date?
    /// No slot before this (a storm's pause).
    public private(set) var blockedUntil: Date?

    public init(ceiling: Double, burst: Int = 1) {
        self.ceiling = max(ceiling, 0.001)
        self.burst = max(burst, 1)
    }

    /// How far a slot may come before its theoretical arrival.
    public var tolerance: TimeInterval { Double(burst - 1) / ceiling }

    /// Reserves `count` consecutive slots at `rate` (clamped to the ceiling), as seen at `now`.
    public mutating func reserve(count: Int, rate: Double, now: Date) -> [Date] {
        let interval = 1 / min(max(rate, 0.001), ceiling)
        var start = max(next ?? now, now)
        if let blockedUntil { start = max(start, blockedUntil.addingTimeInterval(tolerance)) }
        let n = max(count, 1)
        next = start.addingTimeInterval(Double(n) * interval)
        return (0..<n).map { k in max(now, start.addingTimeInterval(Double(k) * interval - tolerance)) }
    }

    /// No slot before `until`.
    public mutating func block(until: Date) {
        blockedUntil = max(blockedUntil ?? until, until)
    }

    /// The most slots any window of `window` seconds can hold.
    public static func bound(ceiling: Double, burst: Int, window: TimeInterval) -> Int {
        Int((ceiling * window + 1e-9).rounded(.down)) + max(burst, 1)
    }

    /// The ceiling that keeps `floor(ceiling × window) + burst` within `limit − margin` calls per
    /// window: Partner Center's limit, less the calls kept spare for timing on the way to it.
    public static func ceiling(limit: Int, window: TimeInterval, burst: Int, margin: Int) -> Double {
        Double(max(limit - max(burst, 1) - max(margin, 0), 1)) / max(window, 0.001)
    }
}
