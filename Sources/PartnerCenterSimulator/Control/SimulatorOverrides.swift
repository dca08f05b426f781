/// `cpv simulator`'s flags, applied over a world file's `"options"` (a flag given wins; one not given
/// leaves the file's value). Latency and stalls go to every Microsoft endpoint group (`graphLatency`
/// then replaces Graph's, stalls still added); sporadic throttles, failures and storms to Partner
/// Center (consent calls and customer reads); the `graph…` ones to Graph.
public struct SimulatorOverrides: Sendable, Equatable {
    public var rateLimitsEnabled: Bool?
    public var model: RateLimitModel?
    public var consentLimit: Int?
    public var customerLimit: Int?
    public var countRejected: Bool?
    public var latency: LatencyFault?
    public var stall: Stall?
    public var throttle: ThrottleFault?
    public var failure: FailureFault?
    public var storm: StormFault?
    public var otherConsumerCallsPerSecond: Double?
    public var callLogCapacity: Int?
    public var randomSeed: UInt64?
    public var graphLimitsEnabled: Bool?
    public var graphApplicationLimit: Int?
    public var graphTenantLimit: Int?
    public var graphLatency: LatencyFault?
    public var graphThrottle: ThrottleFault?
    public var graphFailure: FailureFault?
    /// Replaces the file's `graphForbiddenTenants` when given.
    public var graphForbiddenTenants: [String]?

    public init() {}

    /// A share of calls held `milliseconds` longer (`--stall FRACTION:MS`).
    public struct Stall: Sendable, Equatable {
        public var fraction: Double
        public var milliseconds: Int

        public init(fraction: Double, milliseconds: Int) {
            self.fraction = fraction
            self.milliseconds = milliseconds
        }
    }

    public func apply(to options: inout SimulatorOptions) {
        if let rateLimitsEnabled {
            options.rateLimits.enabled = rateLimitsEnabled
            options.faults.rateLimitsEnabled = rateLimitsEnabled
        }
        if let model { options.rateLimits.model = model }
        if let consentLimit { options.rateLimits.applicationConsentsPerSecond = consentLimit }
        if let customerLimit { options.rateLimits.customerRequestsPerMinute = customerLimit }
        if let countRejected { options.rateLimits.countRejected = countRejected }
        let microsoft = EndpointGroup.allCases.filter { $0 != .control }
        if let latency {
            for group in microsoft { options.faults.latency[group] = latency }
        }
        if let graphLatency { options.faults.latency[.graph] = graphLatency }
        if let stall {
            for group in microsoft {
                let base = options.faults.latency[group] ?? LatencyFault(fixedMilliseconds: 0)
                options.faults.latency[group] = base.withStalls(fraction: stall.fraction, milliseconds: stall.milliseconds)
            }
        }
        if let throttle { options.faults.throttles[.partnerCenter] = throttle }
        if let failure { options.faults.failures[.partnerCenter] = failure }
        if let storm { options.faults.storms[.partnerCenter] = storm }
        if let otherConsumerCallsPerSecond {
            options.faults.otherConsumer = otherConsumerCallsPerSecond > 0 ? OtherConsumerFault(callsPerSecond: otherConsumerCallsPerSecond) : nil
        }
        if let graphLimitsEnabled { options.graphLimits.enabled = graphLimitsEnabled }
        if let graphApplicationLimit { options.graphLimits.applicationRequestsPerTenSeconds = graphApplicationLimit }
        if let graphTenantLimit { options.graphLimits.tenantRequestsPerTenSeconds = graphTenantLimit }
        if let graphThrottle { options.faults.throttles[.graph] = graphThrottle }
        if let graphFailure { options.faults.failures[.graph] = graphFailure }
        if let graphForbiddenTenants { options.faults.graphForbiddenTenants = Set(graphForbiddenTenants.map { $0.lowercased() }) }
        if let callLogCapacity { options.callLogCapacity = callLogCapacity }
        if let randomSeed { options.randomSeed = randomSeed }
    }
}

/// A command-line value that does not parse, with what was expected.
public struct SimulatorSpecError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Parsers for the compound values of `cpv simulator`'s flags.
public enum SimulatorSpec {
    /// `fixed:MS`, `uniform:MIN:MAX` or `lognormal:MEDIAN:P99` (milliseconds).
    public static func latency(_ spec: String) throws -> LatencyFault {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let numbers = parts.dropFirst().map { Int($0) }
        let expected = "--latency takes fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P99 (whole milliseconds), not '\(spec)'"
        guard numbers.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw SimulatorSpecError(expected) }
        let values = numbers.compactMap { $0 }
        let fault: LatencyFault
        switch (parts.first, values.count) {
        case ("fixed", 1):
            fault = LatencyFault(fixedMilliseconds: values[0])
        case ("uniform", 2):
            guard values[1] >= values[0] else { throw SimulatorSpecError("--latency uniform:MIN:MAX needs MAX ≥ MIN, not '\(spec)'") }
            fault = LatencyFault(fixedMilliseconds: values[0], jitterMilliseconds: values[1] - values[0])
        case ("lognormal", 2):
            fault = LatencyFault.lognormal(medianMilliseconds: values[0], p99Milliseconds: values[1])
        default:
            throw SimulatorSpecError(expected)
        }
        if let problem = fault.problem { throw SimulatorSpecError("--latency '\(spec)': \(problem)") }
        return fault
    }

    /// `FRACTION:MS`, e.g. `0.001:5000`.
    public static func stall(_ spec: String) throws -> SimulatorOverrides.Stall {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let fraction = Double(parts[0]), (0...1).contains(fraction), let ms = Int(parts[1]), ms >= 0 else {
            throw SimulatorSpecError("--stall takes FRACTION:MS with FRACTION in 0...1, e.g. 0.001:5000, not '\(spec)'")
        }
        return SimulatorOverrides.Stall(fraction: fraction, milliseconds: ms)
    }

    /// `FRACTION:SECONDS[:RETRY_AFTER]`, e.g. `0.5:60:10`; the storm starts with the simulator.
    public static func storm(_ spec: String) throws -> StormFault {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let fraction = Double(parts[0]), (0...1).contains(fraction),
              let seconds = Double(parts[1]), seconds >= 0
        else { throw SimulatorSpecError("--storm takes FRACTION:SECONDS[:RETRY_AFTER], e.g. 0.5:60:10, not '\(spec)'") }
        var retryAfter = 1
        if parts.count == 3 {
            guard let value = Int(parts[2]), value >= 1 else { throw SimulatorSpecError("--storm RETRY_AFTER must be whole seconds ≥ 1, not '\(parts[2])'") }
            retryAfter = value
        }
        return StormFault(fraction: fraction, retryAfterSeconds: retryAfter, seconds: seconds)
    }

    /// A fraction flag's value: 0...1.
    public static func fraction(_ value: Double, flag: String) throws -> Double {
        guard (0...1).contains(value) else { throw SimulatorSpecError("\(flag) must be between 0 and 1, not \(value)") }
        return value
    }
}
