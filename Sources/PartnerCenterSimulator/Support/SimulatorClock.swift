import Foundation

/// Wall-clock time plus an adjustable offset, so tests can expire tokens without sleeping.
public final class SimulatorClock: Sendable {
    private let offset = LockedValue<TimeInterval>(0)

    public init() {}

    public func now() -> Date { Date().addingTimeInterval(offset.value) }

    /// Moves simulated time forward (or back, with a negative value).
    public func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }

    public func reset() { offset.withLock { $0 = 0 } }
}
