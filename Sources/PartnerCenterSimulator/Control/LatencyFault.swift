import Foundation

/// Delay added to a group's calls, drawn per call from a distribution, plus rare stalls.
///
/// JSON: `{"fixedMilliseconds": 50, "jitterMilliseconds": 10}` (uniform, the original form),
/// `{"distribution": "fixed", "fixedMilliseconds": 40}`,
/// `{"distribution": "lognormal", "medianMilliseconds": 80, "p99Milliseconds": 400}`, each optionally
/// with `"stallFraction": 0.001, "stallMilliseconds": 5000`.
public struct LatencyFault: Codable, Sendable, Equatable {
    public enum Distribution: String, Codable, Sendable, CaseIterable {
        /// Always `fixedMilliseconds`.
        case fixed
        /// `fixedMilliseconds` + uniform `0...jitterMilliseconds`.
        case uniform
        /// Log-normal with the given median and 99th percentile: service times have a long right tail.
        case lognormal
    }

    public var distribution: Distribution
    public var fixedMilliseconds: Int
    public var jitterMilliseconds: Int
    public var medianMilliseconds: Int?
    public var p99Milliseconds: Int?
    /// The share of calls (e.g. 0.001) that stall: `stallMilliseconds` is added to their delay.
    public var stallFraction: Double?
    public var stallMilliseconds: Int?

    /// The original form: `fixed` plus a uniform `0...jitter` (fixed when `jitter` is 0).
    public init(fixedMilliseconds: Int, jitterMilliseconds: Int = 0) {
        self.distribution = jitterMilliseconds > 0 ? .uniform : .fixed
        self.fixedMilliseconds = fixedMilliseconds
        self.jitterMilliseconds = jitterMilliseconds
    }

    public static func lognormal(medianMilliseconds: Int, p99Milliseconds: Int) -> LatencyFault {
        var fault = LatencyFault(fixedMilliseconds: 0)
        fault.distribution = .lognormal
        fault.medianMilliseconds = medianMilliseconds
        fault.p99Milliseconds = p99Milliseconds
        return fault
    }

    /// The same latency with a share of calls stalled by `milliseconds` more.
    public func withStalls(fraction: Double, milliseconds: Int) -> LatencyFault {
        var fault = self
        fault.stallFraction = fraction
        fault.stallMilliseconds = milliseconds
        return fault
    }

    /// The 99th percentile of the standard normal distribution: p99 = median · e^(σ · z99).
    static let z99 = 2.326_347_874

    /// One call's delay from three uniform draws in [0, 1): pure, so the distribution is testable
    /// with a seeded generator and a run with `randomSeed` is repeatable.
    public func milliseconds(_ u1: Double, _ u2: Double, _ u3: Double) -> Double {
        var delay: Double
        switch distribution {
        case .fixed:
            delay = Double(fixedMilliseconds)
        case .uniform:
            delay = Double(fixedMilliseconds) + u1 * Double(jitterMilliseconds)
        case .lognormal:
            let median = Double(medianMilliseconds ?? 0)
            guard median > 0 else { delay = 0; break }
            let sigma = log(max(median, Double(p99Milliseconds ?? 0)) / median) / Self.z99
            // Box–Muller; 1 − u1 is in (0, 1], so the logarithm is finite.
            let z = (-2 * log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2)
            delay = exp(log(median) + sigma * z)
        }
        if let fraction = stallFraction, u3 < fraction { delay += Double(stallMilliseconds ?? 0) }
        return max(0, delay)
    }

    /// Why this latency cannot be used, or nil.
    var problem: String? {
        if fixedMilliseconds < 0 || jitterMilliseconds < 0 { return "latency milliseconds must be ≥ 0" }
        if distribution == .lognormal {
            guard let median = medianMilliseconds, median > 0 else { return "lognormal latency needs medianMilliseconds > 0" }
            guard let p99 = p99Milliseconds, p99 >= median else { return "lognormal latency needs p99Milliseconds ≥ medianMilliseconds" }
        }
        if let f = stallFraction, !(0...1).contains(f) { return "stallFraction must be between 0 and 1" }
        if (stallMilliseconds ?? 0) < 0 { return "stallMilliseconds must be ≥ 0" }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case distribution, fixedMilliseconds, jitterMilliseconds, medianMilliseconds, p99Milliseconds, stallFraction, stallMilliseconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fixedMilliseconds = try c.decodeIfPresent(Int.self, forKey: .fixedMilliseconds) ?? 0
        jitterMilliseconds = try c.decodeIfPresent(Int.self, forKey: .jitterMilliseconds) ?? 0
        medianMilliseconds = try c.decodeIfPresent(Int.self, forKey: .medianMilliseconds)
        p99Milliseconds = try c.decodeIfPresent(Int.self, forKey: .p99Milliseconds)
        stallFraction = try c.decodeIfPresent(Double.self, forKey: .stallFraction)
        stallMilliseconds = try c.decodeIfPresent(Int.self, forKey: .stallMilliseconds)
        // Without `distribution`, the fields say which one is meant (the original JSON had none).
        distribution = try c.decodeIfPresent(Distribution.self, forKey: .distribution)
            ?? (medianMilliseconds != nil ? .lognormal : jitterMilliseconds > 0 ? .uniform : .fixed)
        if let problem = problem { throw DecodingError.dataCorruptedError(forKey: .distribution, in: c, debugDescription: problem) }
    }
}
