import ConsentDomain
import Foundation
import Testing

@Suite struct TokenBucketTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFullBucketGrantsItsCapacityAtOnce() {
        // given
        var bucket = TokenBucket(capacity: 3, ratePerSecond: 1, now: t0)
        // when
        let decisions = (0..<3).map { _ in bucket.take(now: t0) }
        // then
        #expect(decisions == [.granted, .granted, .granted])
    }

    @Test func anEmptyBucketSaysWhenTheNextTokenArrives() {
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 4, now: t0)
        _ = bucket.take(now: t0)
        #expect(bucket.take(now: t0) == .wait(until: t0 + 0.25))
    }

    @Test func tokensRefillAtTheRate() {
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 4, now: t0)
        _ = bucket.take(now: t0)
        #expect(bucket.take(now: t0 + 0.25) == .granted)
    }

    @Test func refillStopsAtCapacity() {
        var bucket = TokenBucket(capacity: 2, ratePerSecond: 10, now: t0)
        _ = bucket.take(now: t0)
        _ = bucket.take(now: t0)
        // when: a long idle time
        let decisions = (0..<3).map { _ in bucket.take(now: t0 + 3600) }
        #expect(decisions == [.granted, .granted, .wait(until: t0 + 3600.1)])
    }

    @Test func aClockSteppingBackAddsNothing() {
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 1, now: t0)
        _ = bucket.take(now: t0)
        #expect(bucket.take(now: t0 - 10) == .wait(until: t0 + 1))
    }

    @Test func nothingIsGrantedBeforeAThrottleEnds() {
        // given
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 10, now: t0)
        // when
        bucket.throttle(until: t0 + 57)
        // then
        #expect(bucket.take(now: t0 + 56.9) == .wait(until: t0 + 57))
    }

    @Test func afterAThrottleTheBucketStartsEmpty() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 10, now: t0)
        bucket.throttle(until: t0 + 57)
        // the rate is halved to 5/s, so the first token comes 0.2 s after the throttle
        #expect(bucket.take(now: t0 + 57) == .wait(until: t0 + 57.2))
        #expect(bucket.take(now: t0 + 57.2) == .granted)
    }

    @Test func a429HalvesTheRate() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0)
        bucket.throttle(until: t0 + 1)
        #expect(bucket.rate == 25)
    }

    @Test func a429WithinTheSameThrottleWindowDoesNotCutTheRateAgain() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0)
        bucket.throttle(until: t0 + 10)
        bucket.throttle(until: t0 + 5)
        #expect(bucket.rate == 25)
        #expect(bucket.throttledUntil == t0 + 10)
    }

    @Test func theRateNeverFallsBelowTheMinimum() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0, minimumRate: 10)
        for second in 1...10 { bucket.throttle(until: t0 + Double(second) * 100) }
        #expect(bucket.rate == 10)
    }

    @Test func successRaisesTheRateAdditively() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0, increaseStep: 2)
        bucket.throttle(until: t0 + 1)
        bucket.recordSuccess()
        bucket.recordSuccess()
        #expect(bucket.rate == 29)
    }

    @Test func successNeverRaisesTheRateAboveTheLimit() {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0, increaseStep: 20)
        bucket.throttle(until: t0 + 1)
        bucket.recordSuccess()
        bucket.recordSuccess()
        #expect(bucket.rate == 50)
    }

    @Test func itsStateSurvivesAJSONRoundTrip() throws {
        var bucket = TokenBucket(capacity: 10, ratePerSecond: 50, now: t0)
        bucket.throttle(until: t0 + 3)
        let copy = try JSONDecoder().decode(TokenBucket.self, from: JSONEncoder().encode(bucket))
        #expect(copy == bucket)
    }
}

@Suite struct TokenBucketRestoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aRestoredBucketEqualsTheOneThatWasStored() {
        // given
        var bucket = TokenBucket(capacity: 5, ratePerSecond: 50, now: t0)
        bucket.throttle(until: t0 + 2)
        // when
        let restored = TokenBucket(
            capacity: bucket.capacity, maximumRate: bucket.maximumRate, minimumRate: bucket.minimumRate,
            decreaseFactor: bucket.decreaseFactor, increaseStep: bucket.increaseStep, rate: bucket.rate,
            tokens: bucket.tokens, updatedAt: bucket.updatedAt, throttledUntil: bucket.throttledUntil)
        // then
        #expect(restored == bucket)
    }

    @Test func aZeroMinimumRateCannotStopTheBucket() {
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 1, now: t0, minimumRate: 0)
        for second in 1...2000 { bucket.throttle(until: t0 + Double(second)) }
        #expect(bucket.rate > 0)
    }

    @Test func aRestoredZeroRateWaitsASecondInsteadOfForever() {
        var bucket = TokenBucket(
            capacity: 1, maximumRate: 1, minimumRate: 0, decreaseFactor: 0.5, increaseStep: 0.01, rate: 0,
            tokens: 0, updatedAt: t0, throttledUntil: nil)
        #expect(bucket.take(now: t0) == .wait(until: t0 + 1))
    }
}
