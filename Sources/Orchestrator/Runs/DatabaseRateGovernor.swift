import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// What the grantor waits on before each Partner Center consent call, and tells how it was answered.
public protocol ConsentCallGate: Sendable {
    /// Returns when the call may go.
    func admit(logger: Logger) async throws -> ConsentAdmission
    /// How the admitted call ended: its HTTP status (nil: no answer), Retry-After and latency.
    func answered(_ admission: ConsentAdmission, status: Int?, retryAfter: TimeInterval?, latency: Duration, logger: Logger) async
    /// The fleet's current budget in calls per second, as last seen (nil before the first call).
    func currentRate() async -> Double?
}

/// A call's slot: when it was due on the database clock, and how long the caller waited for it.
public struct ConsentAdmission: Sendable, Equatable {
    public let slot: Date
    public let waited: Duration

    public init(slot: Date, waited: Duration) {
        self.slot = slot
        self.waited = waited
    }
}

/// The consent budget per application id (Partner Center: 50 requests/s), held in one
/// `rate_buckets` row so that every process together stays within it (docs/runs.md, "Flow control").
///
/// - The window guarantee: the row's schedule (`SlotSchedule`) never puts more than
///   `floor(ceiling × window) + burst` slots in any window, and the ceiling is the limit less the
///   burst and a margin of calls kept spare for timing (`SlotSchedule.ceiling(limit:...)`).
/// - The rate under it follows a `RateController` shared through the row: every process adds what
///   its calls' answers showed to `rate_windows`, and whichever process evaluates first (at most
///   every half second) runs the controller over the windows whose calls were answered.
public struct DatabaseRateGovernor: ConsentCallGate {
    /// Partner Center's limit and how much of it we plan to use.
    public struct Budget: Sendable, Equatable {
        /// Calls allowed per window (`CPV_CONSENT_RATE_LIMIT`).
        public var limit: Int
        /// The limit's window, seconds.
        public var window: TimeInterval
        /// Calls that may start together (`CPV_CONSENT_BURST`).
        public var burst: Int
        /// Calls per window kept spare for the jitter between a slot and the call reaching Partner
        /// Center (`CPV_CONSENT_RATE_MARGIN`).
        public var margin: Int

        public init(limit: Int, window: TimeInterval = 1, burst: Int = 1, margin: Int = 1) {
            self.limit = max(limit, 1)
            self.window = max(window, 0.001)
            self.burst = max(burst, 1)
            self.margin = max(margin, 0)
        }

        /// The highest rate the schedule ever runs at, calls per second.
        public var ceiling: Double { SlotSchedule.ceiling(limit: limit, window: window, burst: burst, margin: margin) }
    }

    let buckets: RateBucketRepository
    public let key: String
    public let budget: Budget
    /// Slots reserved per round trip: one below 100 calls/s (Partner Center's real limit is 50/s,
    /// where every call pays its own reservation), up to 64 at high budgets, where a round trip per
    /// call would cost more than the call (ops/benchmarks/regrant-ceiling). A block never covers
    /// more than 20 ms of the budget, so a process that stops needing its slots wastes at most that.
    let blockSize: Int
    let slots = ReservedSlots()
    let feedback: RateFeedback
    let metrics: FlowMetrics

    /// - Parameter key: e.g. `consent:<application id>`.
    public init(buckets: RateBucketRepository, key: String, budget: Budget, metrics: FlowMetrics = FlowMetrics()) {
        self.buckets = buckets
        self.key = key
        self.budget = budget
        self.blockSize = max(1, min(64, Int(budget.ceiling / 50)))
        self.feedback = RateFeedback(window: budget.window)
        self.metrics = metrics
        metrics.governorCeiling.set(budget.ceiling)
    }

    public func admit(logger: Logger) async throws -> ConsentAdmission {
        let started = ContinuousClock.now
        let reserved: (instant: ContinuousClock.Instant, slot: Date)
        if let pending = await slots.next() {
            reserved = pending
        } else {
            let block = try await buckets.reserve(
                key: key, count: blockSize, ceiling: budget.ceiling, burst: budget.burst, adaptive: true, logger: logger)
            // Waits count from the answer: a slot is never taken before its time, only after it.
            let answered = ContinuousClock.now
            await feedback.sawRate(block.rate)
            metrics.governorRate.set(block.rate)
            reserved = await slots.keep(block.slots.map { (answered + $0.wait, $0.slot) })
        }
        if reserved.instant > .now { try await Task.sleep(until: reserved.instant) }
        return ConsentAdmission(slot: reserved.slot, waited: ContinuousClock.now - started)
    }

    public func answered(_ admission: ConsentAdmission, status: Int?, retryAfter: TimeInterval?, latency: Duration, logger: Logger) async {
        if status == 429 {
            // Slots reserved before the 429 may still be spent; the controller decides about the rest.
            await slots.drop()
        }
        guard let due = await feedback.record(slot: admission.slot, throttled: status == 429, retryAfter: retryAfter, latency: latency)
        else { return }
        do {
            try await buckets.record(key: key, windows: due.windows, logger: logger)
            guard let lag = due.evaluateWithLag,
                let evaluation = try await buckets.evaluate(key: key, ceiling: budget.ceiling, window: budget.window, lag: lag, logger: logger)
            else { return }
            report(evaluation, logger: logger)
        } catch {
            // The next answer tries again; the schedule itself still holds the limit.
            logger.warning("could not update the consent budget's controller", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }

    public func currentRate() async -> Double? { await feedback.rate }

    private func report(_ evaluation: RateEvaluation, logger: Logger) {
        for (window, decision) in zip(evaluation.windows.sorted { $0.start < $1.start }, evaluation.decisions) {
            metrics.governorDecisions(decision.reason).increment()
            let metadata: Logger.Metadata = [
                "cpv.rate": "\(String(format: "%.1f", decision.rate))", "cpv.reason": "\(decision.reason.rawValue)",
                "cpv.window.calls": "\(window.calls)", "cpv.window.throttled": "\(window.throttled)",
            ]
            switch decision.reason {
            case .storm:
                logger.warning("consent budget halved and paused: most calls throttled", metadata: metadata)
            case .decrease, .probeDown:
                logger.notice("consent budget cut after 429s", metadata: metadata)
            case .noise:
                logger.notice("consent budget restored: the 429s did not follow our rate (sporadic)", metadata: metadata)
            default:
                logger.debug("consent budget", metadata: metadata)
            }
        }
        metrics.governorRate.set(evaluation.controller.rate)
        metrics.governorNoise.set(evaluation.controller.noise)
    }
}

/// Slots this process reserved and has not used yet, earliest first.
actor ReservedSlots {
    private var pending: [(instant: ContinuousClock.Instant, slot: Date)] = []

    func next() -> (instant: ContinuousClock.Instant, slot: Date)? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    /// Keeps `slots` after any still pending and hands out the earliest.
    func keep(_ slots: [(instant: ContinuousClock.Instant, slot: Date)]) -> (instant: ContinuousClock.Instant, slot: Date) {
        pending.append(contentsOf: slots)
        pending.sort { $0.instant < $1.instant }
        return pending.removeFirst()
    }

    func drop() { pending.removeAll() }
}

/// What this process's answered calls showed, by window of slots, until it is added to the shared
/// `rate_windows` (at most every quarter second), and when the controller is next worth running.
actor RateFeedback {
    /// How often answers are written: often enough for the controller, rare enough to cost
    /// nothing next to the calls (four statements a second per process at most).
    static let flushInterval = Duration.milliseconds(250)
    static let evaluationInterval = Duration.milliseconds(500)

    struct Due: Sendable {
        var windows: [RateWindow]
        /// Set when the controller should run: how long after a window's end its calls are answered.
        var evaluateWithLag: TimeInterval?
    }

    let window: TimeInterval
    private var pending: [Date: RateWindow] = [:]
    private var lastFlush = ContinuousClock.now
    private var lastEvaluation = ContinuousClock.now
    /// Mean seconds from slot to answer (running estimate).
    private var latency: Double?
    private(set) var rate: Double?

    init(window: TimeInterval) { self.window = window }

    func sawRate(_ rate: Double) { self.rate = rate }

    func record(slot: Date, throttled: Bool, retryAfter: TimeInterval?, latency elapsed: Duration) -> Due? {
        let start = Date(timeIntervalSince1970: (slot.timeIntervalSince1970 / window).rounded(.down) * window)
        var entry = pending[start] ?? RateWindow(start: start, calls: 0, throttled: 0)
        entry.calls += 1
        if throttled {
            entry.throttled += 1
            entry.maxRetryAfter = max(entry.maxRetryAfter ?? 0, retryAfter ?? 1)
        }
        pending[start] = entry
        let seconds = elapsed.seconds
        latency = latency.map { $0 + 0.1 * (seconds - $0) } ?? seconds
        let now = ContinuousClock.now
        guard now - lastFlush >= Self.flushInterval else { return nil }
        lastFlush = now
        let windows = pending.values.sorted { $0.start < $1.start }
        pending.removeAll()
        var due = Due(windows: windows)
        if now - lastEvaluation >= Self.evaluationInterval {
            lastEvaluation = now
            // Most answers of a window are in two mean latencies after it ended (a lognormal with a
            // p99 five times its median: about 95 %); the rest arrive too late and are dropped.
            due.evaluateWithLag = min(max(2 * (latency ?? 0) + 0.2, 0.25), 5)
        }
        return due
    }
}

extension Duration {
    /// Whole and fractional seconds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
