/// One key's rate limit (an application id's consent calls, a partner's customer reads) as a pure
/// value fed explicit instants, so every model is unit-tested without a clock or a server.
struct RateLimitLedger: Sendable {
    enum Decision: Equatable, Sendable {
        case admitted
        /// `retryAfterSeconds`: whole seconds, at least 1, rounded up, until the window has room again.
        case refused(retryAfterSeconds: Int)
    }

    let model: RateLimitModel
    private var counter: any ArrivalCounter
    /// The latest instant seen; earlier ones are treated as this one (concurrent requests read the
    /// clock before taking the lock, so they can arrive here slightly out of order).
    private var latest = -Double.infinity
    /// The other consumer's calls are in the counter up to this instant.
    private var phantomsThrough = -Double.infinity

    init(model: RateLimitModel) {
        self.model = model
        switch model {
        case .slidingWindow: counter = SlidingWindowCounter()
        case .fixedWindow: counter = FixedWindowCounter()
        case .tokenBucket: counter = TokenBucketCounter()
        }
    }

    var entryCount: Int { counter.entryCount }

    /// One of our calls arriving at `instant`: admitted, or refused with a Retry-After.
    mutating func arrive(at instant: Double, rule: RateLimitRule) -> Decision {
        guard rule.limit > 0 else { return .admitted }
        let t = clamp(instant, rule: rule)
        counter.advance(to: t, rule: rule)
        if counter.hasRoom(rule: rule) {
            counter.add(at: t, rule: rule)
            return .admitted
        }
        if rule.countRejected { counter.add(at: t, rule: rule) }
        // The epsilon absorbs floating-point noise (1000.3 + 1 − 1000.3 is not exactly 1).
        let wait = counter.secondsUntilRoom(at: t, rule: rule) - 1e-9
        return .refused(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
    }

    /// Whether a call at `instant` would be admitted, without counting it (a request checked against
    /// several budgets is counted in each only once all have been asked).
    mutating func wouldAdmit(at instant: Double, rule: RateLimitRule) -> Bool {
        guard rule.limit > 0 else { return true }
        let t = clamp(instant, rule: rule)
        counter.advance(to: t, rule: rule)
        return counter.hasRoom(rule: rule)
    }

    /// Counts the other consumer's calls due up to `instant`, always (they are made whether or not
    /// there is room), and returns how many were added. Only the last two windows are replayed after
    /// a quiet spell: older calls have left every model's memory by now.
    @discardableResult
    mutating func insertPhantoms(_ schedule: OtherConsumerSchedule, through instant: Double, rule: RateLimitRule) -> Int {
        guard rule.limit > 0, schedule.callsPerSecond > 0 else { return 0 }
        if instant < latest - rule.window { self = RateLimitLedger(model: model) }
        let t = max(latest, instant)
        let from = max(phantomsThrough, t - 2 * rule.window)
        phantomsThrough = t
        let rate = schedule.callsPerSecond
        // The k-th call is at since + k / rate; computed from k, not accumulated, so no drift.
        let first = max(1, Int(((from - schedule.since) * rate).rounded(.down)) + 1)
        let last = Int(((t - schedule.since) * rate).rounded(.down))
        defer { latest = t }
        guard last >= first else { return 0 }
        for k in first...last {
            latest = max(latest, schedule.since + Double(k) / rate)
            counter.advance(to: latest, rule: rule)
            counter.add(at: latest, rule: rule)
        }
        return last - first + 1
    }

    /// Keeps instants monotonic; a clock moved back by more than a window starts the ledger afresh.
    private mutating func clamp(_ instant: Double, rule: RateLimitRule) -> Double {
        if instant < latest - rule.window { self = RateLimitLedger(model: model) }
        latest = max(latest, instant)
        return latest
    }
}
