import CPVTestSupport
import ConsentDomain
import Foundation
import Testing

/// The window guarantee of the budget's schedule, as a property: whatever the reservers, their
/// block sizes, their clocks and the rate below the ceiling, no window holds more than
/// floor(ceiling × window) + burst slots.
@Suite struct SlotScheduleTests {
    /// The most slots inside any half-open window of `window` seconds.
    static func peak(_ slots: [Date], window: TimeInterval) -> Int {
        let sorted = slots.sorted()
        var peak = 0
        var first = 0
        for (index, slot) in sorted.enumerated() {
            while slot.timeIntervalSince(sorted[first]) >= window { first += 1 }
            peak = max(peak, index - first + 1)
        }
        return peak
    }

    @Test(arguments: 0..<40)
    func noWindowHoldsMoreThanTheBoundWhateverTheReserversDo(seed: Int) {
        // given a random budget, reservers whose clocks are off by up to ±50 ms and who reserve at
        // random moments, in random blocks, while the rate wanders below the ceiling and storms pause it
        var random = SeededRandom(seed: UInt64(seed))
        let ceiling = Double.random(in: 5...200, using: &random)
        let burst = Int.random(in: 1...5, using: &random)
        var schedule = SlotSchedule(ceiling: ceiling, burst: burst)
        let offsets = (0..<Int.random(in: 1...16, using: &random)).map { _ in Double.random(in: -0.05...0.05, using: &random) }
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var clock = 0.0
        var slots: [Date] = []

        // when they reserve about 20 seconds' worth of calls
        while slots.count < Int(ceiling * 20) {
            clock += Double.random(in: 0...(3 / ceiling), using: &random)
            let now = base.addingTimeInterval(clock + offsets.randomElement(using: &random)!)
            let rate = Bool.random(using: &random) ? ceiling : Double.random(in: ceiling / 10...ceiling, using: &random)
            if Int.random(in: 0..<200, using: &random) == 0 {
                schedule.block(until: now.addingTimeInterval(Double.random(in: 0...1, using: &random)))
            }
            slots += schedule.reserve(count: Int.random(in: 1...8, using: &random), rate: rate, now: now)
        }

        // then
        for window in [0.1, 0.5, 1, 2, 5] {
            let bound = SlotSchedule.bound(ceiling: ceiling, burst: burst, window: window)
            #expect(Self.peak(slots, window: window) <= bound, "seed \(seed): window \(window) s, ceiling \(ceiling), burst \(burst)")
        }
    }

    @Test func anIdleScheduleLetsABurstGoAtOnceThenSpacesCallsAtTheRate() {
        // given an idle schedule of 10/s with a burst of 3
        var schedule = SlotSchedule(ceiling: 10, burst: 3)
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        // when five calls are reserved at one instant
        let slots = schedule.reserve(count: 5, rate: 10, now: now).map { $0.timeIntervalSince(now) }

        // then three go now and the rest follow a tenth of a second apart
        #expect(slots.map { ($0 * 1000).rounded() } == [0, 0, 0, 100, 200])
    }

    @Test func aLowerRateSpacesLaterSlotsWithoutSqueezingThosePromised() {
        // given slots promised at 10/s
        var schedule = SlotSchedule(ceiling: 10, burst: 1)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let promised = schedule.reserve(count: 3, rate: 10, now: now)

        // when the rate drops to 2/s
        let later = schedule.reserve(count: 2, rate: 2, now: now)

        // then the new slots come after the promised ones, half a second apart
        #expect(later[0].timeIntervalSince(promised[2]) >= 0.1 - 1e-6)
        #expect(abs(later[1].timeIntervalSince(later[0]) - 0.5) < 1e-6)
    }

    @Test func aPauseHoldsEverySlotUntilItEndsWithoutABurstAfterIt() {
        // given a schedule with a burst of 5, paused for 2 s
        var schedule = SlotSchedule(ceiling: 10, burst: 5)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        schedule.block(until: now.addingTimeInterval(2))

        // when two calls are reserved
        let slots = schedule.reserve(count: 2, rate: 10, now: now)

        // then neither goes before the pause ends, and they are spaced at the rate
        #expect(slots[0] >= now.addingTimeInterval(2))
        #expect(abs(slots[1].timeIntervalSince(slots[0]) - 0.1) < 1e-6)
    }

    @Test func theCeilingKeepsTheBoundWithinTheLimitLessTheMargin() {
        // Partner Center's 50/s with a burst of 1 and 1 call spare: 48/s, at most 49 calls in a second
        let ceiling = SlotSchedule.ceiling(limit: 50, window: 1, burst: 1, margin: 1)
        #expect(ceiling == 48)
        #expect(SlotSchedule.bound(ceiling: ceiling, burst: 1, window: 1) == 49)
        // 500 listings a minute: at most 499 in any minute
        let listing = SlotSchedule.ceiling(limit: 500, window: 60, burst: 1, margin: 1)
        #expect(SlotSchedule.bound(ceiling: listing, burst: 1, window: 60) == 499)
    }
}
