import Foundation

/// The fleet's consent rate under Partner Center's 429s: additive increase, multiplicative
/// decrease, decided once per window of slots after its calls were answered. Pure; the governor
/// keeps it as JSON in the `rate_buckets` row, so every process follows one controller.
///
/// What it has to tell apart, and how (docs/runs.md, "Flow control"):
/// - **Congestion** (we, or we and another client of the same application id, send faster than
///   the limit lets through): 429s that vanish when we slow down. The rate is cut once per window
///   of 429s: windows whose calls left before the last cut (`stale`) cannot cut again, as TCP
///   reduces once per round trip.
/// - **Sporadic 429s** (Partner Center throttling something else, at a share that does not depend
///   on our rate): the first time 429s exceed what is known as noise, the rate halves for one
///   probe (`probeDown`). If the share of 429s does not fall with the rate, they were noise: the
///   rate comes back and that share becomes the noise floor, above which only a significant excess
///   (a binomial tail below `significance`) counts as congestion again.
/// - **Storms** (most calls throttled: an outage, a much lower limit): the rate halves per window
///   and every process pauses for the window's longest Retry-After; afterwards the rate doubles per
///   clean window (TCP's slow start) back towards where the storm began, so a fleet throttled at
///   the ceiling is back near it within about 10 s. A storm that follows a raise stops the return
///   at the last rate seen clean instead: the limit lies between the two.
public struct RateController: Sendable, Equatable, Codable {
    /// Cut on congestion once congestion was confirmed recently. 0.8 rather than TCP's 0.5: a
    /// shared budget is found again within a few windows, and a gentle cut keeps the sawtooth's
    /// mean above 0.9 of what is left to us.
    public static let decreaseFactor = 0.8
    /// A confirmed cut goes to what got through (the rate less the share refused beyond the noise),
    /// and this much under it, unless that is deeper than `decreaseFactor`.
    public static let overshootMargin = 0.97
    /// A window with at least this share of 429s (and at least `stormMinimum` of them) is a storm.
    public static let stormShare = 0.5
    public static let stormMinimum = 3
    /// ... of a window holding at least this share of what the fleet sends per window.
    public static let stormFullness = 0.5
    /// How long a confirmed congestion is trusted: cuts within it skip the probe-down. Three
    /// minutes: holds past a stable shared budget grow to a minute, and with a 60 s lifetime the
    /// next overshoot after a long hold started a probe at half the rate instead of a small cut
    /// (in the model, 0.93 against 0.97 of a budget left by another consumer).
    public static let confirmationLifetime: TimeInterval = 180
    /// How far below the rate a probe confirmed congestion at the cuts may go without a new probe.
    /// Half of it: a budget shared with another consumer moves by less than that between probes,
    /// and noise mistaken for congestion costs at most that much before it is tested again.
    public static let confirmedReach = 0.5
    /// A probe-down needs this many answered calls at the lower rate (or as many as the window
    /// before it had), over at most `probeWindows` windows, before it is judged. A probe that has
    /// seen `probeCalls` calls and no 429 at all may go on to `silentProbeWindows` (at half of
    /// 30 calls/s, 120 calls) to tell a slight overshoot (1 call in 31 refused) from noise at that
    /// share (`probeSilence`).
    public static let probeCalls = 40
    public static let probeWindows = 5
    public static let silentProbeWindows = 8
    /// A probe with no 429 in at least `probeCalls` calls at the lower rate is congestion once noise
    /// at the share that started it would have shown at least one 429 with this much certainty left
    /// over: (1 - share)^calls below it. The share test alone lacks the power to see a slight overshoot (a few 429s in a
    /// window) vanish, and took it for noise, whose floor then hid the overshoot for good.
    public static let probeSilence = 0.05
    /// The one-sided z score the 429 share must fall by, at half the rate, to count as congestion
    /// (1.64: 5 % of noise taken for congestion, which costs a few windows, not the run).
    public static let probeZ = 1.64
    /// Below this, the noise floor is taken as zero: one 429 then counts as congestion. A fifth of
    /// a percent: at 2 %, noise of 0.5–2 % learned by a probe was taken as zero again at once, so
    /// every sporadic 429 started a new probe at half the rate (0.7–0.9 of the ceiling in the
    /// model of RateControllerTests); noise of 10 % that stops falls below it within about 80 windows.
    public static let noiseFloorMinimum = 0.002
    /// The chance that noise alone throttles this many calls, below which a window is congestion.
    public static let significance = 0.001
    /// How fast the noise floor follows the 429 share of the windows judged clean (per window).
    public static let noiseDecay = 0.05
    /// How far above the share a probe measured the floor may drift with clean windows before the
    /// 429s are probed again: half as much again, and at least a point more. Unchecked, the floor
    /// ratcheted up under a steady overshoot (each window a little over the floor, too little to be
    /// significant, lifted it by `noiseDecay`) until 36 % of calls refused read as noise (the
    /// uncounted other-consumer cell). Real noise that a probe underestimated passes the next probe.
    public static let noiseHeadroom = 1.5
    public static let noiseHeadroomMinimum = 0.01
    /// A floor that drifted past its bound is probed again at most this often: each probe risks
    /// (5 %) a false "congestion confirmed", and a ratchet takes longer than this to do harm.
    public static let remeasureInterval: TimeInterval = 30
    /// Below the last congestion point the rate returns to `recoverShare` of it, halving the gap
    /// per window; it then holds `holdWindows` windows (doubling each time congestion recurs at
    /// the same rate, up to `maximumHoldWindows`) before creeping past it in steps of
    /// ceiling / `stepDivisor`, one per round trip.
    public static let recoverShare = 0.95
    public static let holdWindows = 3
    public static let maximumHoldWindows = 60
    /// Holds below a cliff (a storm right after a raise past the last clean rate: a window that
    /// counts refused calls refuses everything once it overflows) start longer and grow further:
    /// each probe past a cliff costs about two windows of refused calls, so it is tried after 20,
    /// 40, 80, 160 and then every 300 windows instead of after 3 to 60.
    public static let cliffHoldWindows = 20
    public static let maximumCliffHoldWindows = 300
    public static let stepDivisor = 100.0
    /// The weight of the newest window in the average sent rate: a cut starts from no less than
    /// that average, so one window thinned by retries does not cut far below what the fleet sends.
    public static let sentSmoothing = 0.3
    /// A congestion point within this fraction of the previous one counts as the same one.
    public static let sameLimitTolerance = 0.1

    /// The configured budget (calls per second): never exceeded.
    public private(set) var ceiling: Double
    /// Never below this, so a throttled fleet still learns when the throttling ends.
    public private(set) var floor: Double
    public private(set) var rate: Double
    /// The 429 share known not to depend on our rate.
    public private(set) var noise = 0.0
    /// The share the last probe measured at the lower rate: the floor stays within
    /// `noiseHeadroom` of it. Optional so that a controller stored before it decodes.
    public private(set) var measuredNoise: Double?
    /// When a probe last measured it: a drifted floor is probed again at most once per
    /// `remeasureInterval`.
    public private(set) var measuredAt: Date?
    /// The rate at the last congestion, while we are below or near it.
    public private(set) var congestionRate: Double?
    /// When the rate was last cut: windows that started before it are stale.
    public private(set) var decreasedAt: Date?
    /// When the rate was last raised past the congestion point.
    public private(set) var raisedAt: Date?
    /// The rate of the last window answered without congestion that was sent wholly at it.
    public private(set) var cleanRate: Double?
    /// The rate the fleet actually sent at, averaged over recent windows (`sentSmoothing`).
    public private(set) var sentRate: Double?
    /// When the rate last changed: windows that started before it were sent at another rate.
    public private(set) var changedAt: Date?
    /// When a probe-down last confirmed congestion.
    public private(set) var confirmedAt: Date?
    /// The rate at which that probe saw the 429s fall: cuts without a probe stop at half of it.
    public private(set) var confirmedRate: Double?
    private var probe: Probe?
    private var held = 0
    private var repeats = 0
    private var step = 0.0
    /// The last cut was a storm: a storm that goes on keeps the rate where it began as the target.
    private var storming = false
    /// The last congestion point is a cliff (see `cliffHoldWindows`).
    private var cliff = false
    /// Recovering from a storm: the rate doubles per window instead of halving the gap.
    private var slowStart = false

    /// A probe-down under way: the window that started it, and what the windows at the lower rate saw.
    struct Probe: Sendable, Equatable, Codable {
        var rate: Double
        var calls: Int
        var throttled: Int
        var laterCalls = 0
        var laterThrottled = 0
        var laterWindows = 0
        /// Started because the floor drifted, not by a significant window (nil in older rows).
        var remeasure: Bool?
    }

    public init(ceiling: Double) {
        self.ceiling = max(ceiling, 0.01)
        self.floor = Self.floor(for: self.ceiling)
        self.rate = self.ceiling
    }

    /// A changed budget (`CPV_CONSENT_RATE_LIMIT`) applies at once; what was learned stays.
    public mutating func setCeiling(_ ceiling: Double) {
        self.ceiling = max(ceiling, 0.01)
        floor = Self.floor(for: self.ceiling)
        rate = min(max(rate, floor), self.ceiling)
    }

    /// A fiftieth of the budget: at 48/s about one call a second still goes out.
    private static func floor(for ceiling: Double) -> Double { min(ceiling, max(ceiling / 50, 0.01)) }

    /// Decides the rate after `window`, whose calls have all been answered, at `now` (database clock).
    ///
    /// `scheduledThrough` is the last slot already handed out (the schedule's `next_at`): slots
    /// reserved before a change keep their old pace until then, so a change takes effect from the
    /// later of the two. Without it, the tasks waiting on slots reserved before a cut (about 0.75 s
    /// of them at the start of a run) were judged as the new rate's: a probe saw its 429s go on and
    /// called them noise, which restored the rate that overran another consumer's share.
    public mutating func evaluate(_ window: RateWindow, at now: Date, scheduledThrough: Date? = nil) -> RateDecision {
        let effective = max(now, scheduledThrough ?? now)
        let before = rate
        let decision = judge(window, at: effective)
        if rate != before { changedAt = effective }
        return decision
    }

    private mutating func judge(_ window: RateWindow, at now: Date) -> RateDecision {
        guard window.calls > 0 else { return decision(.idle) }
        let sent = sentRate.map { $0 + Self.sentSmoothing * (window.sentRate - $0) } ?? window.sentRate
        defer { sentRate = sent }
        // A window that began within one budget window after the cut still meets the calls sent
        // before it: a limiter that counts refused calls keeps refusing until they leave its
        // window, so such 429s say nothing about the new rate (the simulator's strictest model).
        if let decreasedAt, window.start < decreasedAt.addingTimeInterval(window.length) { return decision(.stale) }
        if probe != nil, let verdict = judgeProbe(window, at: now) { return verdict }
        let floorNoise = noise >= Self.noiseFloorMinimum ? noise : 0
        let congested = window.throttled > 0 && window.share > floorNoise
            && (floorNoise == 0 || Self.tail(calls: window.calls, atLeast: window.throttled, share: floorNoise) < Self.significance)
        // A floor that drifted past what the last probe measured is tested again, not trusted.
        let drifted = measuredNoise.map { noise > Self.noiseBound(measured: $0) } ?? false
            && now.timeIntervalSince(measuredAt ?? .distantPast) >= Self.remeasureInterval
        if congested { return cut(window, at: now) }
        if drifted, window.throttled > 0, window.share > noise { return cut(window, at: now, remeasure: true) }
        if noise > 0 {
            // Once noise is known, every window judged clean moves the floor towards its share,
            // up as well as down: moving it only down would drift it to a low quantile of the
            // share's spread, where ordinary windows of the same noise look significant.
            noise += Self.noiseDecay * (window.share - noise)
        }
        return raise(window, at: now)
    }

    /// Adds a window at the lower rate to the probe; returns a decision while the probe goes on
    /// or when it finds noise, nil when congestion is confirmed (the window is then judged as usual).
    private mutating func judgeProbe(_ window: RateWindow, at now: Date) -> RateDecision? {
        guard var probe else { return nil }
        probe.laterCalls += window.calls
        probe.laterThrottled += window.throttled
        probe.laterWindows += 1
        let before = Double(probe.throttled) / Double(probe.calls)
        // Silence counts only over a full probe's calls: a probe started by the first window of a
        // ramp (4 calls, one 429) runs at 2 calls/s, where a dozen quiet calls prove nothing.
        let quiet = probe.laterThrottled == 0 && probe.laterCalls >= Self.probeCalls
        let silent = quiet && pow(1 - before, Double(probe.laterCalls)) < Self.probeSilence
        let judged = probe.laterCalls >= min(probe.calls, Self.probeCalls) || probe.laterWindows >= Self.probeWindows
        if !silent, !judged || (quiet && probe.laterWindows < Self.silentProbeWindows) {
            self.probe = probe
            return decision(.probing)
        }
        self.probe = nil
        let after = Double(probe.laterThrottled) / Double(probe.laterCalls)
        let pooled = Double(probe.throttled + probe.laterThrottled) / Double(probe.calls + probe.laterCalls)
        let error = (max(pooled * (1 - pooled), 1e-9) * (1 / Double(probe.calls) + 1 / Double(probe.laterCalls))).squareRoot()
        if !silent, (before - after) / error < Self.probeZ {
            // Halving the rate did not lower the share: these 429s are not ours to prevent.
            measuredNoise = pooled
            measuredAt = now
            noise = min(max(noise, pooled), Self.noiseBound(measured: pooled))
            rate = max(rate, probe.rate)
            congestionRate = nil
            confirmedAt = nil
            confirmedRate = nil
            step = 0
            return decision(.noise)
        }
        // Congestion. What is still throttled at half the rate may be noise, but a probe judges a
        // few dozen calls: taking that as the floor would let one unlucky probe (0 of 40 throttled
        // under 10 % of noise) turn every later sporadic 429 into a cut. The floor only rises
        // here; it falls with windows that show less (`noiseDecay`).
        confirmedAt = decreasedAt
        confirmedRate = rate
        if probe.remeasure == true {
            // A floor that drifted hid a slight overshoot at the probe's rate: the limit is what
            // got through there, not 95 % of it (which kept 35 calls/s where 30 were left to us).
            congestionRate = probe.rate * (1 - max(0, before - after))
        }
        noise = min(max(noise, after), Self.noiseBound(measured: after))
        measuredNoise = after
        measuredAt = now
        return nil
    }

    /// `remeasure`: the window is not congested, but the floor drifted past what was measured: a
    /// probe-down, never a cut on a confirmation (that would walk a drifted floor down, not test it).
    private mutating func cut(_ window: RateWindow, at now: Date, remeasure: Bool = false) -> RateDecision {
        // A storm is most of a full window throttled. A thin window (under half of what the fleet
        // sends) that is mostly 429s is the edge of a slight overshoot caught at a window's end,
        // not an outage: the other-consumer cell's storms were windows of 8 and 9 calls (8 refused)
        // at 30 calls/s, each halving the rate and pausing every process for nothing.
        let full = Double(window.calls) >= Self.stormFullness * min(rate, sentRate ?? rate)
        let storm = window.throttled >= Self.stormMinimum && window.share >= Self.stormShare && full
        // Cut from what was sent, not from a rate the work never reached: halving a budget of 98/s
        // while the tasks in flight send 45/s changes nothing, and a probe would take the 429s for noise.
        // One window's count jumps with retries and claims, so the cut starts from the larger of
        // it and the recent average.
        // The very first window of a run has no average to go by and is usually a fraction of a
        // second (a run starts mid-window): cutting from its 9 calls took the faults cell to 4.5
        // calls/s for 40 s over one sporadic 429. With no average yet, the cut starts from the rate.
        rate = min(rate, max(window.sentRate, sentRate ?? rate, floor))
        if !(storm && storming) {
            // Congestion again at about the same rate: probe past it less often (longer holds).
            if let previous = congestionRate, abs(rate - previous) <= Self.sameLimitTolerance * previous {
                repeats += 1
            } else {
                repeats = 0
            }
            congestionRate = rate
        }
        if storm, !storming, let cleanRate, cleanRate < rate {
            // A storm after a raise: the limit lies between the last rate seen clean and this one,
            // so the return stops at the clean one, as TCP's slow start stops at its threshold. A
            // storm at a rate already seen clean (an outage) still returns to near it. The return
            // stops a little under the clean rate, which sat at the cliff's edge.
            congestionRate = cleanRate
            cliff = true
        } else if !storm {
            cliff = false
        }
        decreasedAt = now
        held = 0
        step = 0
        storming = storm
        if storm {
            slowStart = true
            rate = max(floor, rate / 2)
            return decision(.storm, pause: window.maxRetryAfter ?? 1)
        }
        if !remeasure, let confirmedAt, now.timeIntervalSince(confirmedAt) < Self.confirmationLifetime,
            rate * Self.decreaseFactor >= Self.confirmedReach * (confirmedRate ?? 0)
        {
            // Confirmed congestion is cut without a probe, but only down to a share of the rate
            // the probe confirmed: further down, the 429s are tested again, so a confirmation
            // that was wrong (noise) cannot walk the rate to the floor one window at a time.
            self.confirmedAt = now
            // As deep as the overshoot, no deeper than `decreaseFactor`: a window that refused 2 of
            // 30 calls says about 28 got through, and a cut to 24 cost a tenth of a shared budget
            // for the whole climb back (the other-consumer cell averaged 27 of 30 calls/s).
            let excess = max(0, window.share - noise)
            rate = max(floor, rate * max(Self.decreaseFactor, (1 - excess) * Self.overshootMargin))
            return decision(.decrease)
        }
        // A probe that finds noise restores the rate the fleet was sending at before the cut: our
        // pace did not matter. Not a nominal budget it never reached: with the tasks in flight
        // already waiting, a jump there sends a burst past the real limit.
        probe = Probe(rate: rate, calls: window.calls, throttled: window.throttled, remeasure: remeasure)
        rate = max(floor, rate / 2)
        return decision(.probeDown)
    }

    private mutating func raise(_ window: RateWindow, at now: Date) -> RateDecision {
        let unit = ceiling / Self.stepDivisor
        storming = false
        // What was sent clean, not the budget: during a ramp the fleet sends under the rate, and a
        // storm that followed would return to a rate no window ever showed to be clean.
        if window.start >= changedAt ?? .distantPast { cleanRate = min(rate, max(window.sentRate, sentRate ?? 0)) }
        if let limit = congestionRate {
            let target = Self.recoverShare * limit
            if rate < target {
                let grown = slowStart ? rate * 2 : rate + (target - rate) / 2
                rate = min(target, max(rate + unit, grown))
                return decision(.recover)
            }
            slowStart = false
            let hold = cliff
                ? min(Self.maximumCliffHoldWindows, Self.cliffHoldWindows << min(repeats, 4))
                : min(Self.maximumHoldWindows, Self.holdWindows << min(repeats, 5))
            if held < hold {
                held += 1
                return decision(.hold)
            }
        }
        if let raisedAt, window.start < raisedAt { return decision(.wait) }
        if let limit = congestionRate, rate < (2 - Self.recoverShare) * limit {
            rate = min(ceiling, rate + unit)
            raisedAt = now
            return decision(.creep)
        }
        if congestionRate != nil {
            repeats = 0
            cliff = false
        }
        congestionRate = nil
        guard rate < ceiling else { return decision(.probe) }
        step = step == 0 ? unit : min(step * 2, ceiling / 4)
        rate = min(ceiling, rate + step)
        raisedAt = now
        return decision(.probe)
    }

    private func decision(_ reason: RateDecision.Reason, pause: TimeInterval? = nil) -> RateDecision {
        RateDecision(rate: rate, pause: pause, reason: reason)
    }

    /// The highest the floor may drift to from a measured share before it is probed again.
    static func noiseBound(measured: Double) -> Double {
        max(measured * noiseHeadroom, measured + noiseHeadroomMinimum, noiseFloorMinimum)
    }

    /// P(T ≥ k) for T ~ Binomial(n, p), summed in log space from k upwards until the terms vanish.
    static func tail(calls n: Int, atLeast k: Int, share p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n, p > 0 else { return 0 }
        guard p < 1 else { return 1 }
        let logP = Foundation.log(p), logQ = Foundation.log(1 - p)
        var total = 0.0
        for i in k...n {
            let term = Foundation.exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                + Double(i) * logP + Double(n - i) * logQ)
            total += term
            if term < total * 1e-12, Double(i) > Double(n) * p { break }
        }
        return min(total, 1)
    }
}
