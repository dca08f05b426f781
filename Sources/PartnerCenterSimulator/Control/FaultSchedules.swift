/// A 429 storm: for `seconds` from the moment it is set (simulator clock), `fraction` of the group's
/// calls answer 429 with `Retry-After: retryAfterSeconds`, whatever the load.
///
/// JSON in: `{"fraction": 0.5, "retryAfterSeconds": 10, "seconds": 60}`; out, once set, it also
/// carries `startedAt` and `endsAt` (Unix seconds on the simulator's clock). Sending `startedAt` back
/// (e.g. a `GET /_sim/faults` answer, edited) keeps the storm's start; leaving it out starts it now.
public struct StormFault: Codable, Sendable, Equatable {
    public var fraction: Double
    public var retryAfterSeconds: Int
    public var seconds: Double
    public var startedAt: Double?

    public init(fraction: Double, retryAfterSeconds: Int = 1, seconds: Double, startedAt: Double? = nil) {
        self.fraction = fraction
        self.retryAfterSeconds = retryAfterSeconds
        self.seconds = seconds
        self.startedAt = startedAt
    }

    /// When the storm is over (nil until it has started).
    public var endsAt: Double? { startedAt.map { $0 + seconds } }

    /// Whether it blows at `instant` (Unix seconds): from `startedAt` included to `endsAt` excluded.
    public func isActive(at instant: Double) -> Bool {
        guard let startedAt else { return false }
        return instant >= startedAt && instant < startedAt + seconds
    }

    enum CodingKeys: String, CodingKey { case fraction, retryAfterSeconds, seconds, startedAt, endsAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fraction = try c.decode(Double.self, forKey: .fraction)
        retryAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? 1
        seconds = try c.decode(Double.self, forKey: .seconds)
        startedAt = try c.decodeIfPresent(Double.self, forKey: .startedAt)
        guard (0...1).contains(fraction), seconds >= 0, retryAfterSeconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .fraction, in: c, debugDescription: "a storm needs fraction in 0...1, seconds ≥ 0, retryAfterSeconds ≥ 0")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fraction, forKey: .fraction)
        try c.encode(retryAfterSeconds, forKey: .retryAfterSeconds)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(endsAt, forKey: .endsAt)
    }
}

/// Another client of the same application id making `callsPerSecond` consent calls, evenly spaced,
/// from `since` (Unix seconds, simulator clock; stamped when set, like a storm's start). They count in
/// the consent limit of every application id whether or not there is room, so our service must live
/// within a budget it does not own: with 20 here and a limit of 50, at most 30 of ours fit a window.
public struct OtherConsumerFault: Codable, Sendable, Equatable {
    public var callsPerSecond: Double
    public var since: Double?

    public init(callsPerSecond: Double, since: Double? = nil) {
        self.callsPerSecond = callsPerSecond
        self.since = since
    }

    /// Above this, replaying two windows of phantom calls on each consent call would cost more than the call.
    static let maximumCallsPerSecond = 10_000.0

    enum CodingKeys: String, CodingKey { case callsPerSecond, since }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        callsPerSecond = try c.decode(Double.self, forKey: .callsPerSecond)
        since = try c.decodeIfPresent(Double.self, forKey: .since)
        guard (0...Self.maximumCallsPerSecond).contains(callsPerSecond) else {
            throw DecodingError.dataCorruptedError(
                forKey: .callsPerSecond, in: c, debugDescription: "callsPerSecond must be between 0 and \(Int(Self.maximumCallsPerSecond))")
        }
    }

    var schedule: OtherConsumerSchedule? {
        guard let since, callsPerSecond > 0 else { return nil }
        return OtherConsumerSchedule(callsPerSecond: callsPerSecond, since: since)
    }
}

extension SimulatorFaults {
    /// Gives storms and the other consumer that have not started yet their start: `now`.
    mutating func stampStarts(now: Double) {
        for (group, storm) in storms where storm.startedAt == nil { storms[group]?.startedAt = now }
        if otherConsumer != nil && otherConsumer?.since == nil { otherConsumer?.since = now }
    }
}
