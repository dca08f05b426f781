@testable import PartnerCenterSimulator
import Testing

/// The three readings of "50 requests per second per application id", as pure ledgers fed explicit
/// instants. Instants are multiples of 1/128 s so that the arithmetic is exact.
@Suite struct RateLimitModelTests {
    static let t0 = 1_000_000.0
    static let step = 1.0 / 64

    static func rule(_ model: RateLimitModel, limit: Int = 50, window: Double = 1, countRejected: Bool = true) -> RateLimitRule {
        RateLimitRule(model: model, limit: limit, window: window, countRejected: countRejected)
    }

    /// Sends `count` calls at `instant` (+ `spacing` each) and returns how many were admitted.
    static func burst(_ ledger: inout RateLimitLedger, _ count: Int, at instant: Double, spacing: Double = 0, rule: RateLimitRule) -> Int {
        (0..<count).filter { ledger.arrive(at: instant + Double($0) * spacing, rule: rule) == .admitted }.count
    }

    @Test func slidingWindowRefusesThe51stCallInsideOneSecondAndAdmitsItWhenTheOldestLeaves() {
        // given
        let rule = Self.rule(.slidingWindow, countRejected: false)
        var ledger = RateLimitLedger(model: .slidingWindow)
        let admitted = Self.burst(&ledger, 50, at: Self.t0, spacing: Self.step, rule: rule)
        // when
        let over = ledger.arrive(at: Self.t0 + 50 * Self.step, rule: rule)
        let oldestGone = ledger.arrive(at: Self.t0 + 1, rule: rule)
        let tooSoon = ledger.arrive(at: Self.t0 + 1 + Self.step / 2, rule: rule)
        let secondGone = ledger.arrive(at: Self.t0 + 1 + Self.step, rule: rule)
        // then
        #expect(admitted == 50)
        #expect(over == .refused(retryAfterSeconds: 1))
        #expect(oldestGone == .admitted)
        #expect(tooSoon == .refused(retryAfterSeconds: 1))
        #expect(secondGone == .admitted)
    }

    @Test func slidingWindowRefusesAcrossACalendarSecondBoundary() {
        // given: 50 calls late in one second
        let rule = Self.rule(.slidingWindow)
        var ledger = RateLimitLedger(model: .slidingWindow)
        _ = Self.burst(&ledger, 50, at: Self.t0 + 0.75, rule: rule)
        // when: 50 more early in the next second, within the same sliding second
        let admitted = Self.burst(&ledger, 50, at: Self.t0 + 1.25, rule: rule)
        // then
        #expect(admitted == 0)
    }

    @Test func fixedWindowResetsOnTheSecondBoundaryAndSoLets100CallsThroughWithinTwoMilliseconds() {
        // given
        let rule = Self.rule(.fixedWindow)
        var ledger = RateLimitLedger(model: .fixedWindow)
        let before = Self.burst(&ledger, 50, at: Self.t0 + 1 - 1.0 / 1024, rule: rule)
        let refused = ledger.arrive(at: Self.t0 + 1 - 1.0 / 2048, rule: rule)
        // when
        let after = Self.burst(&ledger, 50, at: Self.t0 + 1 + 1.0 / 1024, rule: rule)
        // then
        #expect(before == 50)
        #expect(refused == .refused(retryAfterSeconds: 1))
        #expect(after == 50)
    }

    @Test func fixedWindowRetryAfterIsTheRestOfTheCalendarWindow() {
        // given: 3 customer reads a minute, all spent 15 s into the minute
        let rule = Self.rule(.fixedWindow, limit: 3, window: 60)
        var ledger = RateLimitLedger(model: .fixedWindow)
        let minute = 60 * 20_000.0
        _ = Self.burst(&ledger, 3, at: minute + 15, rule: rule)
        // when
        let refused = ledger.arrive(at: minute + 15, rule: rule)
        // then
        #expect(refused == .refused(retryAfterSeconds: 45))
    }

    @Test func tokenBucketAllowsABurstOfItsCapacityThenItsRate() {
        // given
        let rule = Self.rule(.tokenBucket, countRejected: false)
        var ledger = RateLimitLedger(model: .tokenBucket)
        let burst = Self.burst(&ledger, 51, at: Self.t0, rule: rule)
        // when: 1/8 s refills 6.25 tokens
        let refilled = Self.burst(&ledger, 6, at: Self.t0 + 0.125, rule: rule)
        // then
        #expect(burst == 50)
        #expect(refilled == 6)
    }

    @Test func tokenBucketCountingRefusedCallsTakesTheirTokenToo() {
        // given: the 51st call is refused and, counted, takes a token it did not have
        let rule = Self.rule(.tokenBucket, countRejected: true)
        var ledger = RateLimitLedger(model: .tokenBucket)
        _ = Self.burst(&ledger, 51, at: Self.t0, rule: rule)
        // when: 1/8 s refills 6.25 tokens, one of which pays the debt
        let refilled = Self.burst(&ledger, 7, at: Self.t0 + 0.125, rule: rule)
        // then
        #expect(refilled == 5)
    }

    @Test func countedRefusalsOccupyTheSlidingWindow() {
        // given: 30 calls, then 30 more half a second later of which 10 are refused
        for countRejected in [true, false] {
            let rule = Self.rule(.slidingWindow, countRejected: countRejected)
            var ledger = RateLimitLedger(model: .slidingWindow)
            _ = Self.burst(&ledger, 30, at: Self.t0, rule: rule)
            let second = Self.burst(&ledger, 30, at: Self.t0 + 0.5, rule: rule)
            // when: the first 30 have left the window
            let third = Self.burst(&ledger, 40, at: Self.t0 + 1, rule: rule)
            // then: the 10 refused calls still take room when they count
            #expect(second == 20)
            #expect(third == (countRejected ? 20 : 30), "countRejected \(countRejected)")
        }
    }

    @Test func slidingWindowRetryAfterWaitsForEnoughCallsToLeave() {
        // given: 3 customer reads a minute, at 0 s, 10 s and 20 s
        for (countRejected, expected) in [(false, 30), (true, 40)] {
            let rule = Self.rule(.slidingWindow, limit: 3, window: 60, countRejected: countRejected)
            var ledger = RateLimitLedger(model: .slidingWindow)
            for offset in [0.0, 10, 20] { _ = ledger.arrive(at: Self.t0 + offset, rule: rule) }
            // when
            let refused = ledger.arrive(at: Self.t0 + 30, rule: rule)
            // then: counted, the refused call itself holds a place, so the one at 10 s must leave too
            #expect(refused == .refused(retryAfterSeconds: expected), "countRejected \(countRejected)")
        }
    }

    @Test func retryAfterIsAtLeastOneSecond() {
        // given
        let rule = Self.rule(.slidingWindow, limit: 1, countRejected: false)
        var ledger = RateLimitLedger(model: .slidingWindow)
        _ = ledger.arrive(at: Self.t0, rule: rule)
        // when: the window has room again in 1/128 s
        let refused = ledger.arrive(at: Self.t0 + 1 - 1.0 / 128, rule: rule)
        // then
        #expect(refused == .refused(retryAfterSeconds: 1))
    }

    @Test func otherConsumerLeavesRoomForTheLimitMinusItsRate() {
        for model in RateLimitModel.allCases where model != .tokenBucket {
            // given: another client has made 20 calls a second for almost three seconds
            let rule = Self.rule(model)
            var ledger = RateLimitLedger(model: model)
            let schedule = OtherConsumerSchedule(callsPerSecond: 20, since: Self.t0 - 2)
            let instant = Self.t0 + 63 * Self.step
            // when: two windows of its calls are replayed, 20 of them in the current window either way
            let phantoms = ledger.insertPhantoms(schedule, through: instant, rule: rule)
            let admitted = Self.burst(&ledger, 60, at: instant, rule: rule)
            // then
            #expect(phantoms == 40, "\(model)")
            #expect(admitted == 30, "\(model)")
        }
    }

    @Test func otherConsumerCallsCountEvenWhenTheWindowIsFull() {
        // given: the other consumer alone exceeds the limit
        let rule = Self.rule(.slidingWindow)
        var ledger = RateLimitLedger(model: .slidingWindow)
        let schedule = OtherConsumerSchedule(callsPerSecond: 80, since: Self.t0 - 5)
        // when
        ledger.insertPhantoms(schedule, through: Self.t0, rule: rule)
        let ours = ledger.arrive(at: Self.t0, rule: rule)
        // then
        #expect(ours == .refused(retryAfterSeconds: 1))
    }

    @Test func otherConsumerCallsAreInsertedOnlyOnce() {
        // given
        let rule = Self.rule(.slidingWindow)
        var ledger = RateLimitLedger(model: .slidingWindow)
        let schedule = OtherConsumerSchedule(callsPerSecond: 10, since: Self.t0)
        // when
        let first = ledger.insertPhantoms(schedule, through: Self.t0 + 0.5, rule: rule)
        let again = ledger.insertPhantoms(schedule, through: Self.t0 + 0.5, rule: rule)
        let later = ledger.insertPhantoms(schedule, through: Self.t0 + 1, rule: rule)
        // then
        #expect([first, again, later] == [5, 0, 5])
    }

    @Test func slidingWindowMemoryStaysBoundedUnderHammering() {
        // given: 20,000 counted calls within one second, 20 a millisecond
        let rule = Self.rule(.slidingWindow)
        var ledger = RateLimitLedger(model: .slidingWindow)
        for i in 0..<20_000 { _ = ledger.arrive(at: Self.t0 + Double(i) / 20_000, rule: rule) }
        let held = ledger.entryCount
        // when: a quiet second later
        _ = ledger.arrive(at: Self.t0 + 2, rule: rule)
        // then
        #expect(held <= 1_001)
        #expect(ledger.entryCount == 1)
    }

    @Test func aClockMovedBackMoreThanAWindowStartsAfresh() {
        // given
        let rule = Self.rule(.slidingWindow, limit: 1)
        var ledger = RateLimitLedger(model: .slidingWindow)
        _ = ledger.arrive(at: Self.t0, rule: rule)
        // when
        let earlier = ledger.arrive(at: Self.t0 - 10, rule: rule)
        // then
        #expect(earlier == .admitted)
    }

    @Test func aLimitOfZeroMeansNoLimit() {
        // given
        let rule = Self.rule(.slidingWindow, limit: 0)
        var ledger = RateLimitLedger(model: .slidingWindow)
        // when
        let admitted = Self.burst(&ledger, 1_000, at: Self.t0, rule: rule)
        // then
        #expect(admitted == 1_000)
    }
}
