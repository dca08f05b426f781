import CPVTestSupport
@testable import ConsentDomain
import Foundation
import Testing

/// The AIMD controller against model worlds, without I/O: each window is sent at the rate of its
/// moment and judged two windows later (its calls answered), as the governor does.
@Suite struct RateControllerTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// One window of the model: how many calls went and how many came back 429.
    typealias World = (_ window: Int, _ rate: Double) -> (calls: Int, throttled: Int)

    struct Trace {
        var rates: [Double] = []
        var decisions: [RateDecision] = []
        var calls = 0
        var throttled = 0
        var share: Double { calls > 0 ? Double(throttled) / Double(calls) : 0 }
        func mean(_ range: Range<Int>) -> Double { rates[range].reduce(0, +) / Double(range.count) }
    }

    /// Sends `windows` windows through `world`; each is judged `lag` windows after it ends, with
    /// `backlog` seconds of slots already handed out at that moment (the schedule's `next_at`).
    static func drive(
        _ controller: inout RateController, windows: Int, from first: Int = 0, lag: Int = 1, backlog: TimeInterval = 0, world: World
    ) -> Trace {
        var trace = Trace()
        var sent: [(start: Date, calls: Int, throttled: Int)] = []
        for index in first..<(first + windows) {
            let rate = controller.rate
            trace.rates.append(rate)
            let (calls, throttled) = world(index - first, rate)
            trace.calls += calls
            trace.throttled += throttled
            sent.append((start.addingTimeInterval(Double(index)), calls, throttled))
            let now = start.addingTimeInterval(Double(index) + 1.5)
            while let first = sent.first, first.start.addingTimeInterval(Double(1 + lag)) <= now {
                sent.removeFirst()
                let window = RateWindow(start: first.start, calls: first.calls, throttled: first.throttled, maxRetryAfter: 1)
                trace.decisions.append(controller.evaluate(window, at: now, scheduledThrough: now.addingTimeInterval(backlog)))
            }
        }
        return trace
    }

    @Test func aCleanBudgetStaysAtTheCeiling() {
        var controller = RateController(ceiling: 48)
        let trace = Self.drive(&controller, windows: 100) { _, rate in (Int(rate), 0) }
        #expect(trace.rates.allSatisfy { $0 == 48 })
        #expect(!trace.decisions.contains { [.decrease, .probeDown, .storm].contains($0.reason) })
    }

    @Test func sporadic429sAreLearnedAsNoiseAndLeaveTheRateAtTheCeiling() {
        // given Partner Center throttling 10 % of calls whatever our rate (with binomial noise)
        var controller = RateController(ceiling: 48)
        var random = SeededRandom(seed: 7)
        let trace = Self.drive(&controller, windows: 120) { _, rate in
            let calls = Int(rate.rounded())
            return (calls, (0..<calls).filter { _ in Double.random(in: 0..<1, using: &random) < 0.1 }.count)
        }

        // then one probe-down at most found it was noise, and the rate stayed near the ceiling
        #expect(trace.decisions.filter { $0.reason == .probeDown }.count <= 2)
        #expect(trace.decisions.contains { $0.reason == .noise })
        #expect(abs(controller.noise - 0.1) < 0.04, "noise \(controller.noise)")
        #expect(trace.mean(20..<120) >= 0.95 * 48, "mean rate \(trace.mean(20..<120))")
    }

    @Test(arguments: 1...40)
    func sporadic429sNeverSpiralTheRateDownOverALongRun(seed: UInt64) {
        // given 10 % of calls throttled whatever our rate, for ten minutes, with windows as a run
        // sends them: a ramp at the start, and counts that wander with retries and claims
        var controller = RateController(ceiling: 48)
        var random = SeededRandom(seed: seed)
        let trace = Self.drive(&controller, windows: 600) { index, rate in
            let ramp = [4, 12, 30]
            let wobble = Double.random(in: 0.6..<1.2, using: &random)
            let calls = index < ramp.count ? min(ramp[index], Int(rate)) : max(1, Int((rate * wobble).rounded()))
            return (calls, (0..<calls).filter { _ in Double.random(in: 0..<1, using: &random) < 0.1 }.count)
        }

        // then a false "congestion confirmed" (a probe judged on a few calls) does not take the
        // rate down window after window: it stays near the ceiling over the whole run
        let described = zip(trace.rates, trace.decisions.map(\.reason)).map { "\(Int($0)) \($1)" }
        #expect(trace.mean(30..<600) >= 0.9 * 48, "mean rate \(trace.mean(30..<600)): \(described)")
        #expect(trace.rates[30...].filter { $0 < 0.5 * 48 }.count <= 30, "\(described)")
    }

    @Test func anotherConsumerTakingPartOfTheBudgetIsSharedWithFew429s() {
        // given a limit that leaves us 30 calls/s: whatever we send above it is refused
        var controller = RateController(ceiling: 48)
        let trace = Self.drive(&controller, windows: 200) { _, rate in
            let calls = Int(rate.rounded())
            return (calls, max(0, calls - 30))
        }

        // then after the first seconds the rate settles just under 30, with under 2 % of calls throttled
        let settled = trace.mean(20..<200)
        #expect(settled >= 0.9 * 30 && settled <= 30.5, "settled at \(settled)")
        let late = (20..<200).reduce(into: (calls: 0, throttled: 0)) { sums, index in
            let calls = Int(trace.rates[index].rounded())
            sums.calls += calls
            sums.throttled += max(0, calls - 30)
        }
        #expect(Double(late.throttled) / Double(late.calls) < 0.02, "\(late.throttled) of \(late.calls) throttled")
    }

    @Test(arguments: [true, false])
    func anotherConsumerInAStrictSlidingWindowIsSharedWithFew429s(countsRefused: Bool) {
        // given the simulator's strict sliding window of 50 calls, another consumer sending 20/s,
        // and (in one case) refused calls counted: an overshoot then fills the window for up to a
        // second after the cut, and a slight overshoot of a window that does not count them
        // refuses one call in thirty, too few for the share test alone
        var controller = RateController(ceiling: 48)
        var world = SlidingWindowModel(countsRefused: countsRefused, otherConsumer: 20)
        var settled = (calls: 0, throttled: 0)
        let trace = Self.drive(&controller, windows: 300) { index, rate in
            let sent = world.send(window: index, rate: rate)
            if index >= 40 {
                settled.calls += sent.calls
                settled.throttled += sent.throttled
            }
            return sent
        }

        // then, once the first 40 windows found the budget, the rate holds at least 0.9 of the 30
        // calls/s left to us, with under 2 % of calls refused: the probes past the edge get rarer
        let described = zip(trace.rates, trace.decisions.map(\.reason)).map { "\(Int($0)) \($1)" }
        #expect(trace.mean(40..<300) >= 0.9 * 30, "mean rate \(trace.mean(40..<300)): \(described)")
        #expect(trace.rates[40...].allSatisfy { $0 <= 32 }, "\(described)")
        #expect(Double(settled.throttled) / Double(settled.calls) < 0.02, "\(settled.throttled) of \(settled.calls) throttled: \(described)")
    }

    /// How a run's fleet sends under a budget it does not fill at once: tasks in flight grow
    /// with the budget (a ramp of 4 calls more per window), follow a raised budget one window
    /// late (their count is computed from the rate the process last saw), or keep the old pace
    /// for the slots they reserved before a cut (a backlog of 0.75 s at the start of a run).
    enum Pace: CaseIterable, Sendable { case ramp, lagging, backlog }

    @Test(arguments: Pace.allCases, [true, false])
    func anotherConsumerIsSharedWhenTheFleetSendsUnderTheRate(pace: Pace, countsRefused: Bool) {
        // given the strict sliding window of 50 calls, another consumer sending 20/s, and a fleet
        // that sends less than the controller's rate: windows judged clean were sent at what the
        // fleet reached, not at the budget, so only the former says where the limit is not
        var controller = RateController(ceiling: 48)
        var world = SlidingWindowModel(countsRefused: countsRefused, otherConsumer: 20)
        var settled = (calls: 0, throttled: 0)
        var previous = 4.0
        var sentRates: [Double] = []
        let trace = Self.drive(&controller, windows: 300, backlog: pace == .backlog ? 0.75 : 0) { index, rate in
            let pace = switch pace {
            case .ramp: min(rate, Double(4 + 4 * index))
            case .lagging: min(rate, previous)
            case .backlog: rate < previous ? rate + 0.75 * (previous - rate) : rate
            }
            previous = rate
            sentRates.append(pace)
            let sent = world.send(window: index, rate: pace)
            if index >= 40 {
                settled.calls += sent.calls
                settled.throttled += sent.throttled
            }
            return sent
        }

        // then, once the first 40 windows found the budget, the fleet sends at least 0.9 of the
        // 30 calls/s left to it with under 2 % refused: a storm returns to what was sent clean.
        // A window that does not count refused calls overflows gently (1 of 31 refused at 31/s):
        // such an overshoot hides under the noise floor until the floor has drifted past what the
        // last probe measured and is probed again (at most every 30 s), so it is allowed 4 %
        // (3.4 % measured; 36 % when the floor was free to ratchet up without a probe).
        let described = zip(sentRates, trace.decisions.map(\.reason)).map { "\(Int($0)) \($1)" }
        let mean = sentRates[40...].reduce(0, +) / Double(sentRates.count - 40)
        #expect(mean >= 0.9 * 30, "mean sent rate \(mean): \(described)")
        let allowed = countsRefused ? 0.02 : 0.04
        #expect(Double(settled.throttled) / Double(settled.calls) < allowed, "\(settled.throttled) of \(settled.calls) throttled: \(described)")
    }

    @Test func sporadic429sAtALowShareAreLearnedAsNoiseToo() {
        // given Partner Center throttling 1 % of calls whatever our rate: a window of 48 calls has
        // a 429 more often than not, and one probe cannot tell that from a slight overshoot
        var means: [Double] = []
        for seed: UInt64 in 1...10 {
            var controller = RateController(ceiling: 48)
            var random = SeededRandom(seed: seed)
            let trace = Self.drive(&controller, windows: 300) { _, rate in
                let calls = Int(rate.rounded())
                return (calls, (0..<calls).filter { _ in Double.random(in: 0..<1, using: &random) < 0.01 }.count)
            }
            means.append(trace.mean(20..<300))
        }

        // then the floor learned by a probe is kept (not taken for zero), so the rate stays near
        // the ceiling instead of probing at half of it after every sporadic 429
        let mean = means.reduce(0, +) / Double(means.count)
        #expect(mean >= 0.9 * 48, "mean rates \(means)")
    }

    @Test func aStormHalvesThePausesAndRecoversWithinAboutTenSeconds() {
        // given 90 % of calls throttled for five seconds
        var controller = RateController(ceiling: 48)
        let trace = Self.drive(&controller, windows: 40) { index, rate in
            let calls = max(Int(rate.rounded()), 1)
            return (calls, (5..<10).contains(index) ? Int((0.9 * Double(calls)).rounded()) : 0)
        }

        // then the fleet paused for the Retry-After and backed off hard
        let storms = trace.decisions.filter { $0.reason == .storm }
        #expect(!storms.isEmpty)
        #expect(storms.allSatisfy { $0.pause == 1 })
        #expect(trace.rates.min()! <= 12)
        // and within 12 windows of the last throttled window being judged it is back near the ceiling
        let lastThrottledSent = 9
        #expect(trace.rates[(lastThrottledSent + 2 + 12)...].allSatisfy { $0 >= 0.95 * 48 }, "\(trace.rates)")
    }

    @Test func aStormAfterARaiseReturnsToTheLastRateSeenClean() {
        // given a budget twice what Partner Center lets through (another consumer, or a wrong
        // CPV_CONSENT_RATE_LIMIT), with 15 % sporadic 429s that hide congestion below the cliff:
        // above 50 calls/s a sliding window that counts refused calls throttles nearly everything
        var controller = RateController(ceiling: 98)
        var random = SeededRandom(seed: 11)
        let trace = Self.drive(&controller, windows: 160) { _, rate in
            let calls = Int(rate.rounded())
            if calls > 50 { return (calls, calls - 5) }
            return (calls, (0..<calls).filter { _ in Double.random(in: 0..<1, using: &random) < 0.15 }.count)
        }

        // then after the first storms the rate stays at or just over the cliff, each storm sends it
        // back to the last rate seen clean (not to 95 % of the storm's), and storms get rarer
        let described = zip(trace.rates, trace.decisions.map(\.reason)).map { "\(Int($0)) \($1)" }
        #expect(trace.rates[20...].allSatisfy { $0 <= 52 }, "\(described)")
        #expect(trace.mean(20..<160) >= 0.85 * 50, "mean rate \(trace.mean(20..<160))")
        let storms = trace.decisions.indices.filter { trace.decisions[$0].reason == .storm }
        let gaps = zip(storms.dropFirst(), storms).map { $0 - $1 }
        // A cycle is about 9 windows plus the hold, which doubles per storm at the same rate
        // (3, 6, 12, 24, 48): storms near windows 0, 12, 27, 48, 81 and 138, and one to spare.
        #expect(storms.count <= 7, "\(described)")
        #expect(gaps.count < 2 || gaps.last! > gaps.first!, "gaps \(gaps)")
    }

    @Test func windowsSentBeforeACutCannotCutAgain() {
        // given a cut after a throttled window
        var controller = RateController(ceiling: 48)
        let cutAt = Self.start.addingTimeInterval(10)
        let first = controller.evaluate(RateWindow(start: Self.start.addingTimeInterval(8), calls: 48, throttled: 10), at: cutAt)
        #expect(first.reason == .probeDown)

        // when a window that started before the cut reports throttling too
        let second = controller.evaluate(RateWindow(start: Self.start.addingTimeInterval(9), calls: 48, throttled: 20), at: cutAt + 1)

        // then it is stale: one cut per window of 429s
        #expect(second.reason == .stale)
        #expect(controller.rate == 24)
    }

    @Test func theFirstWindowOfARunIsNotTakenForWhatTheFleetSends() {
        // given a run whose first window is a fraction of a second: 9 calls, one of them a sporadic 429
        var controller = RateController(ceiling: 48)
        let decision = controller.evaluate(RateWindow(start: Self.start, calls: 9, throttled: 1), at: Self.start.addingTimeInterval(2))

        // then the probe halves the budget, not the 9 calls of a window the run started in
        #expect(decision.reason == .probeDown)
        #expect(controller.rate == 24)
    }

    @Test func aThinWindowOfMostly429sIsCongestionNotAStorm() {
        // given a fleet sending 30 calls/s, clean
        var controller = RateController(ceiling: 48)
        _ = Self.drive(&controller, windows: 30) { _, rate in (min(Int(rate.rounded()), 30), 0) }
        let before = controller.rate

        // when a window holds 9 calls of which 8 were refused (the edge of a slight overshoot)
        let decision = controller.evaluate(
            RateWindow(start: Self.start.addingTimeInterval(40), calls: 9, throttled: 8, maxRetryAfter: 1),
            at: Self.start.addingTimeInterval(42))

        // then the rate is cut as congestion, nobody is paused; a full window of 429s still storms
        #expect(decision.reason != .storm)
        #expect(decision.pause == nil)
        #expect(controller.rate < before)
        var other = RateController(ceiling: 48)
        let storm = other.evaluate(RateWindow(start: Self.start, calls: 48, throttled: 40, maxRetryAfter: 2), at: Self.start.addingTimeInterval(2))
        #expect(storm.reason == .storm)
        #expect(storm.pause == 2)
    }

    @Test func slotsHandedOutBeforeACutAreStaleUntilTheyAreSpent() {
        // given a cut while the schedule had handed out slots 3 s ahead at the old rate
        var controller = RateController(ceiling: 48)
        let cutAt = Self.start.addingTimeInterval(10)
        let first = controller.evaluate(
            RateWindow(start: Self.start.addingTimeInterval(8), calls: 48, throttled: 10), at: cutAt,
            scheduledThrough: cutAt.addingTimeInterval(3))
        #expect(first.reason == .probeDown)

        // when a window within those old slots (and the limiter's second of memory after them) is throttled
        let during = controller.evaluate(
            RateWindow(start: cutAt.addingTimeInterval(3.5), calls: 40, throttled: 20), at: cutAt.addingTimeInterval(5))

        // then it says nothing about the new rate; the first window after them does
        #expect(during.reason == .stale)
        let after = controller.evaluate(
            RateWindow(start: cutAt.addingTimeInterval(4), calls: 24, throttled: 0), at: cutAt.addingTimeInterval(5.5))
        #expect(after.reason == .probing)
    }

    @Test func noiseThatStopsIsForgottenAndOne429CountsAgain() {
        // given a controller that learned 10 % of noise
        var controller = RateController(ceiling: 48)
        var random = SeededRandom(seed: 11)
        _ = Self.drive(&controller, windows: 60) { _, rate in
            let calls = Int(rate.rounded())
            return (calls, (0..<calls).filter { _ in Double.random(in: 0..<1, using: &random) < 0.1 }.count)
        }
        #expect(controller.noise > 0.05)

        // when the noise stops for a while (from the 13-16 % a probe may measure of it, a 5 % step
        // per window takes about 85 windows to reach the minimum)
        _ = Self.drive(&controller, windows: 100, from: 60) { _, rate in (Int(rate.rounded()), 0) }

        // then the floor fell below its minimum, where a single 429 is congestion again
        #expect(controller.noise < RateController.noiseFloorMinimum)
        let decision = controller.evaluate(
            RateWindow(start: Self.start.addingTimeInterval(220), calls: 48, throttled: 1), at: Self.start.addingTimeInterval(222))
        #expect([.probeDown, .decrease].contains(decision.reason))
    }

    @Test func aChangedCeilingAppliesAtOnce() {
        var controller = RateController(ceiling: 48)
        controller.setCeiling(20)
        #expect(controller.rate == 20)
        controller.setCeiling(48)
        #expect(controller.rate == 20)
    }

    @Test func theControllerSurvivesItsJSONRoundTrip() throws {
        // given a controller in the middle of a probe-down (state the database keeps between windows)
        var controller = RateController(ceiling: 48)
        _ = controller.evaluate(RateWindow(start: Self.start, calls: 48, throttled: 12), at: Self.start.addingTimeInterval(2))

        // when stored and read back
        let copy = try JSONDecoder().decode(RateController.self, from: JSONEncoder().encode(controller))

        // then it is the same controller
        #expect(copy == controller)
    }

    @Test func theBinomialTailMatchesItsClosedForms() {
        #expect(abs(RateController.tail(calls: 10, atLeast: 1, share: 0.1) - (1 - pow(0.9, 10))) < 1e-12)
        #expect(abs(RateController.tail(calls: 10, atLeast: 10, share: 0.5) - pow(0.5, 10)) < 1e-12)
        #expect(RateController.tail(calls: 48, atLeast: 0, share: 0.1) == 1)
        #expect(RateController.tail(calls: 48, atLeast: 49, share: 0.1) == 0)
        // 10 % noise over 48 calls: 14 throttled is significant, 12 is not
        #expect(RateController.tail(calls: 48, atLeast: 14, share: 0.1) < RateController.significance)
        #expect(RateController.tail(calls: 48, atLeast: 12, share: 0.1) > RateController.significance)
    }
}
