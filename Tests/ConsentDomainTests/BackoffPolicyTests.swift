import ConsentDomain
import Testing

@Suite struct BackoffPolicyTests {
    let exact = BackoffPolicy(base: 2, cap: 300, maxAttempts: 8, jitter: .none, retryAfterJitter: 1)

    @Test func theDefaultIsBase2sCap5MinEightAttemptsEqualJitter() {
        #expect(BackoffPolicy.default == BackoffPolicy(base: 2, cap: 300, maxAttempts: 8, jitter: .equal, retryAfterJitter: 1))
    }

    @Test func delaysDoubleFromTheBase() {
        #expect((1...5).map { exact.delay(attempt: $0, random: 0.5) } == [2, 4, 8, 16, 32])
    }

    @Test func delaysStopAtTheCap() {
        #expect(exact.delay(attempt: 9, random: 0) == 300)
        #expect(exact.delay(attempt: 10_000, random: 0) == 300)
    }

    @Test func attemptZeroOrLessIsTreatedAsTheFirst() {
        #expect(exact.delay(attempt: 0, random: 0) == 2)
        #expect(exact.delay(attempt: -3, random: 0) == 2)
    }

    @Test func fullJitterSpreadsOverTheWholeDelay() {
        var policy = exact
        policy.jitter = .full
        #expect(policy.delay(attempt: 3, random: 0) == 0)
        #expect(policy.delay(attempt: 3, random: 0.25) == 2)
        #expect(policy.delay(attempt: 3, random: 1) == 8)
    }

    @Test func equalJitterNeverGoesBelowHalf() {
        var policy = exact
        policy.jitter = .equal
        #expect(policy.delay(attempt: 3, random: 0) == 4)
        #expect(policy.delay(attempt: 3, random: 0.5) == 6)
    }

    @Test func anOutOfRangeRandomIsClamped() {
        var policy = exact
        policy.jitter = .full
        #expect(policy.delay(attempt: 3, random: 7) == 8)
        #expect(policy.delay(attempt: 3, random: -1) == 0)
        #expect(policy.delay(attempt: 3, random: .nan) == 0)
    }

    @Test func retryAfterIsNeverUndercut() {
        // given a Retry-After longer than the exponential delay
        // when
        let delay = exact.delay(attempt: 1, retryAfter: 57, random: 0)
        // then
        #expect(delay == 57)
    }

    @Test func retryAfterGetsASmallPositiveJitter() {
        #expect(exact.delay(attempt: 1, retryAfter: 57, random: 0.5) == 57.5)
    }

    @Test func retryAfterLongerThanTheCapIsStillHonoured() {
        #expect(exact.delay(attempt: 1, retryAfter: 900, random: 0) == 900)
    }

    @Test func aShortRetryAfterDoesNotShortenTheBackoff() {
        #expect(exact.delay(attempt: 4, retryAfter: 1, random: 0) == 16)
    }

    @Test func noRetryAfterMeansPlainBackoff() {
        #expect(exact.delay(attempt: 2, retryAfter: nil, random: 0) == 4)
    }
}
