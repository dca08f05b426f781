import Foundation

/// Wall-clock time plus an adjustable offset, so tests can expire tokens without sleeping; it can
/// also be frozen, so that a burst of calls arrives at one instant whatever the machine's speed.
public final class SimulatorClock: Sendable {
    private struct Reading: Sendable {
        var offset: TimeInterval = 0
        var frozenAt: Date?
    }

    private let reading = LockedValue(Reading())

    public init() {}

    public func now() -> Date {
        reading.withLock { r in r.frozenAt ?? Date().addingTimeInterval(r.offset) }
    }

    /// Moves simulated time forward (or back, with a negative value), frozen or not.
    public func advance(by seconds: TimeInterval) {
        reading.withLock { r in
            if let frozen = r.frozenAt { r.frozenAt = frozen.addingTimeInterval(seconds) } else { r.offset += seconds }
        }
    }

    /// Stops simulated time at the current instant until `thaw()` (or `advance(by:)` moves it).
    public func freeze() {
        reading.withLock { r in if r.frozenAt == nil { r.frozenAt = Date().addingTimeInterval(r.offset) } }
    }

    /// Lets simulated time run again from where it stood.
    public func thaw() {
        reading.withLock { r in
            guard let frozen = r.frozenAt else { return }
            r.offset = frozen.timeIntervalSince(Date())
            r.frozenAt = nil
        }
    }

    public func reset() { reading.withLock { $0 = Reading() } }
}
