import Foundation
@testable import PartnerCenterSimulator
import Testing

/// Latency distributions, storms and sporadic throttles as pure functions of seeded dice.
@Suite struct LatencyAndFaultModelTests {
    static func samples(_ fault: LatencyFault, count: Int, seed: UInt64 = 2_026) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            fault.milliseconds(
                Double.random(in: 0..<1, using: &generator), Double.random(in: 0..<1, using: &generator),
                Double.random(in: 0..<1, using: &generator))
        }.sorted()
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[Int(Double(sorted.count - 1) * p)] }

    @Test func lognormalLatencyHasTheRequestedMedianAndP99() {
        // given
        let fault = LatencyFault.lognormal(medianMilliseconds: 80, p99Milliseconds: 400)
        // when
        let sorted = Self.samples(fault, count: 200_000)
        // then
        #expect(abs(Self.percentile(sorted, 0.5) - 80) < 80 * 0.02)
        #expect(abs(Self.percentile(sorted, 0.99) - 400) < 400 * 0.05)
    }

    @Test func uniformLatencyStaysWithinItsRangeAroundItsMidpoint() {
        // given: the original JSON shape
        let fault = LatencyFault(fixedMilliseconds: 50, jitterMilliseconds: 10)
        // when
        let sorted = Self.samples(fault, count: 50_000)
        let mean = sorted.reduce(0, +) / Double(sorted.count)
        // then
        #expect(fault.distribution == .uniform)
        #expect(sorted.first ?? 0 >= 50)
        #expect(sorted.last ?? 100 <= 60)
        #expect(abs(mean - 55) < 0.2)
    }

    @Test func fixedLatencyIsAlwaysTheSame() {
        // given
        let fault = LatencyFault(fixedMilliseconds: 40)
        // when
        let sorted = Self.samples(fault, count: 1_000)
        // then
        #expect(sorted.first == 40)
        #expect(sorted.last == 40)
    }

    @Test func stallsHitTheirFractionOfCallsAndAddTheirDelay() {
        // given
        let fault = LatencyFault(fixedMilliseconds: 20).withStalls(fraction: 0.01, milliseconds: 5_000)
        // when
        let sorted = Self.samples(fault, count: 100_000)
        let stalled = sorted.filter { $0 >= 5_000 }
        // then
        #expect(abs(Double(stalled.count) / 100_000 - 0.01) < 0.001)
        #expect(stalled.allSatisfy { $0 == 5_020 })
    }

    @Test func latencyJSONKeepsTheOriginalShapeAndInfersTheDistribution() throws {
        // given
        let original = Data(#"{"fixedMilliseconds":50,"jitterMilliseconds":10}"#.utf8)
        let lognormal = Data(#"{"medianMilliseconds":80,"p99Milliseconds":400,"stallFraction":0.001,"stallMilliseconds":5000}"#.utf8)
        // when
        let a = try JSONDecoder().decode(LatencyFault.self, from: original)
        let b = try JSONDecoder().decode(LatencyFault.self, from: lognormal)
        // then
        #expect(a == LatencyFault(fixedMilliseconds: 50, jitterMilliseconds: 10))
        #expect(b == LatencyFault.lognormal(medianMilliseconds: 80, p99Milliseconds: 400).withStalls(fraction: 0.001, milliseconds: 5_000))
    }

    @Test func lognormalLatencyWithoutAMedianIsRefused() {
        // given
        let body = Data(#"{"distribution":"lognormal","p99Milliseconds":400}"#.utf8)
        // when / then
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LatencyFault.self, from: body) }
    }

    @Test func stormBlowsFromItsStartForItsSpanOnTheSimulatorClock() {
        // given
        let storm = StormFault(fraction: 1, retryAfterSeconds: 7, seconds: 10, startedAt: 5_000)
        var faults = SimulatorFaults()
        faults.storms[.partnerCenter] = storm
        var generator = SeededGenerator(seed: 1)
        let dice = CallDice(using: &generator)
        // when
        let before = InjectedFault.decide(&faults, group: .partnerCenter, now: 4_999.5, dice: dice)
        let during = InjectedFault.decide(&faults, group: .partnerCenter, now: 5_009.5, dice: dice)
        let after = InjectedFault.decide(&faults, group: .partnerCenter, now: 5_010, dice: dice)
        let elsewhere = InjectedFault.decide(&faults, group: .graph, now: 5_001, dice: dice)
        // then
        #expect(before == nil)
        #expect(during == .storm(retryAfter: 7))
        #expect(after == nil)
        #expect(elsewhere == nil)
        #expect(storm.endsAt == 5_010)
    }

    @Test func stormsAndTheOtherConsumerStartWhenTheyAreSet() {
        // given
        var faults = SimulatorFaults()
        faults.storms[.partnerCenter] = StormFault(fraction: 0.5, seconds: 60)
        faults.storms[.graph] = StormFault(fraction: 0.5, seconds: 60, startedAt: 100)
        faults.otherConsumer = OtherConsumerFault(callsPerSecond: 20)
        // when
        faults.stampStarts(now: 7_000)
        // then
        #expect(faults.storms[.partnerCenter]?.startedAt == 7_000)
        #expect(faults.storms[.graph]?.startedAt == 100)
        #expect(faults.otherConsumer?.since == 7_000)
    }

    @Test func sporadicThrottlesHitTheirFractionOfCalls() {
        // given
        var faults = SimulatorFaults()
        faults.throttles[.partnerCenter] = ThrottleFault(fraction: 0.1, retryAfterSeconds: 2)
        var generator = SeededGenerator(seed: 77)
        // when
        let throttled = (0..<20_000).filter { _ in
            InjectedFault.decide(&faults, group: .partnerCenter, now: 0, dice: CallDice(using: &generator)) == .throttle(retryAfter: 2)
        }.count
        // then
        #expect(abs(Double(throttled) / 20_000 - 0.1) < 0.01)
    }
}
