/// The uniform draws one call may need, all taken at once and always the same number, so that with
/// `SimulatorOptions.randomSeed` the n-th call gets the same dice whatever the faults and the timing.
struct CallDice: Sendable {
    var hang: Double
    var throttle: Double
    var storm: Double
    var failure: Double
    var latency: (Double, Double, Double)

    init(using generator: inout some RandomNumberGenerator) {
        hang = Double.random(in: 0..<1, using: &generator)
        throttle = Double.random(in: 0..<1, using: &generator)
        storm = Double.random(in: 0..<1, using: &generator)
        failure = Double.random(in: 0..<1, using: &generator)
        latency = (Double.random(in: 0..<1, using: &generator), Double.random(in: 0..<1, using: &generator),
                   Double.random(in: 0..<1, using: &generator))
    }
}

/// Where the simulator's dice come from: the system generator, or SplitMix64 seeded by
/// `SimulatorOptions.randomSeed` (restarted by `reset()`) for repeatable runs.
final class SimulatorRandom: Sendable {
    private let seed: UInt64?
    private let seeded: LockedValue<SeededGenerator>

    init(seed: UInt64?) {
        self.seed = seed
        seeded = LockedValue(SeededGenerator(seed: seed ?? 0))
    }

    func dice() -> CallDice {
        guard seed != nil else {
            var system = SystemRandomNumberGenerator()
            return CallDice(using: &system)
        }
        return seeded.withLock { CallDice(using: &$0) }
    }

    func reset() { seeded.withLock { $0 = SeededGenerator(seed: seed ?? 0) } }
}

/// What a fault does to one call instead of (or before) routing it.
enum InjectedFault: Equatable, Sendable {
    case throttle(retryAfter: Int)
    case storm(retryAfter: Int)
    case failure(status: Int)
    case hang

    /// The call log's `injected` value.
    var label: String {
        switch self {
        case .throttle: "throttle"
        case .storm: "storm"
        case .failure: "failure"
        case .hang: "hang"
        }
    }

    /// Decides one call of `group` at `now` (Unix seconds): consumes "next N" counters and compares
    /// the dice with the fractions, under the faults lock. Nothing here looks at the load or the rate
    /// limiter, so a fraction is the same share of calls at any rate.
    static func decide(_ faults: inout SimulatorFaults, group: EndpointGroup, now: Double, dice: CallDice) -> InjectedFault? {
        if var hang = faults.hangs[group] {
            if let n = hang.next, n > 0 {
                hang.next = n - 1
                faults.hangs[group] = hang
                return .hang
            }
            if let f = hang.fraction, dice.hang < f { return .hang }
        }
        if var throttle = faults.throttles[group] {
            if let n = throttle.next, n > 0 {
                throttle.next = n - 1
                faults.throttles[group] = throttle
                return .throttle(retryAfter: max(1, throttle.retryAfterSeconds))
            }
            if let f = throttle.fraction, dice.throttle < f { return .throttle(retryAfter: max(1, throttle.retryAfterSeconds)) }
        }
        if let storm = faults.storms[group], storm.isActive(at: now), dice.storm < storm.fraction {
            return .storm(retryAfter: max(1, storm.retryAfterSeconds))
        }
        if let failure = faults.failures[group], dice.failure < failure.fraction {
            return .failure(status: failure.status)
        }
        return nil
    }
}
