import NIOCore

/// `GET /_sim/stats`: counters since the simulator started or the stats were reset, independent of
/// the call log (which is a bounded ring and forgets).
public struct SimulatorStats: Codable, Sendable, Equatable {
    /// When counting began (Unix seconds, simulator clock).
    public var since: Double
    public var consentCalls: ConsentCallStats
    /// Graph requests since the same instant.
    public var graphCalls: GraphCallStats

    public init(since: Double, consentCalls: ConsentCallStats, graphCalls: GraphCallStats = GraphCallStats()) {
        self.since = since
        self.consentCalls = consentCalls
        self.graphCalls = graphCalls
    }

    enum CodingKeys: String, CodingKey { case since, consentCalls, graphCalls }

    // `graphCalls` came later: stats saved before it still decode.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        since = try c.decode(Double.self, forKey: .since)
        consentCalls = try c.decode(ConsentCallStats.self, forKey: .consentCalls)
        graphCalls = try c.decodeIfPresent(GraphCallStats.self, forKey: .graphCalls) ?? GraphCallStats()
    }
}

/// Consent calls (POST and DELETE applicationconsents), as the benchmark reads them.
public struct ConsentCallStats: Codable, Sendable, Equatable {
    /// Our calls that reached the simulator (the other consumer's are in `otherConsumerCalls`).
    public var arrivals = 0
    /// Arrivals the rate limiter let through (all of them while limits are off).
    public var admitted = 0
    /// Answers by HTTP status, e.g. `{"201": 50, "429": 10}`.
    public var answered: [String: Int] = [:]
    /// 429s of the rate limiter.
    public var throttledByLimiter = 0
    /// Injected 429s: `throttles` (sporadic or "next N") and `storms`.
    public var throttledSporadic = 0
    public var throttledByStorm = 0
    /// Injected 5xx answers and hangs.
    public var injectedFailures = 0
    public var hangs = 0
    /// The other consumer's phantom calls counted into the limiter.
    public var otherConsumerCalls = 0
    /// The most of our arrivals in any sliding 1-second window (t − 1 s, t].
    public var peakPerSecond = 0
    /// The most admitted arrivals in any sliding 1-second window.
    public var peakAdmittedPerSecond = 0

    public init() {}
}

/// Why a consent call got the answer it got.
enum AnswerCause: Sendable {
    case route, limiter, injected(InjectedFault)
}

/// The most instants seen in any window (t − 1 s, t], computed as they arrive: a queue of the last
/// second's instants (memory: one Double per arrival of the last second) and the running maximum.
struct PeakRate: Sendable {
    private var recent = CircularBuffer<Double>()
    private(set) var peak = 0

    mutating func record(_ instant: Double) {
        let t = max(instant, recent.last ?? instant)
        while let first = recent.first, first <= t - 1 { recent.removeFirst() }
        recent.append(t)
        peak = max(peak, recent.count)
    }
}

/// Pure bookkeeping behind `ConsentCallStats`.
struct ConsentStatsRecorder: Sendable {
    /// When counting began (Unix seconds, simulator clock).
    let since: Double
    private(set) var stats = ConsentCallStats()
    private var arrivalsRate = PeakRate()
    private var admittedRate = PeakRate()

    init(since: Double) { self.since = since }

    mutating func arrived(at instant: Double, admitted: Bool, phantoms: Int) {
        stats.arrivals += 1
        stats.otherConsumerCalls += phantoms
        arrivalsRate.record(instant)
        stats.peakPerSecond = arrivalsRate.peak
        if admitted {
            stats.admitted += 1
            admittedRate.record(instant)
            stats.peakAdmittedPerSecond = admittedRate.peak
        }
    }

    mutating func answered(status: Int, cause: AnswerCause) {
        stats.answered[String(status), default: 0] += 1
        switch cause {
        case .route: break
        case .limiter: stats.throttledByLimiter += 1
        case .injected(.throttle): stats.throttledSporadic += 1
        case .injected(.storm): stats.throttledByStorm += 1
        case .injected(.failure): stats.injectedFailures += 1
        case .injected(.hang): stats.hangs += 1
        }
    }
}
