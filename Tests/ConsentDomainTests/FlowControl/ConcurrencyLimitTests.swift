import ConsentDomain
import Testing

@Suite struct ConcurrencyLimitTests {
    /// Feeds `count` finished tasks of `seconds` each and returns the limit after them.
    static func settle(_ limit: inout ConcurrencyLimit, seconds: Double, calls: Int = 2, budget: Double?, count: Int = 100) -> Int {
        var last = limit.limit
        for _ in 0..<count { last = limit.taskFinished(seconds: seconds, calls: calls, budget: budget) }
        return last
    }

    @Test(arguments: [(0.1, 4), (0.3, 11), (2.0, 72), (5.0, 180)])
    func theLimitFollowsLittlesLawWithHeadroom(seconds: Double, expected: Int) {
        // given a budget of 48 calls/s, two calls per task
        var limit = ConcurrencyLimit(maximum: 512)

        // when tasks take `seconds` each
        let settled = Self.settle(&limit, seconds: seconds, budget: 48)

        // then the limit is 24 tasks/s × seconds × 1.5, rounded up
        #expect(settled == expected, "\(seconds) s per task")
    }

    @Test func theLimitNeverExceedsCPVWorkersNorFallsBelowTheMinimum() {
        var slow = ConcurrencyLimit(maximum: 40)
        #expect(Self.settle(&slow, seconds: 10, budget: 48) == 40)
        var fast = ConcurrencyLimit(minimum: 2, maximum: 40)
        #expect(Self.settle(&fast, seconds: 0.001, budget: 48) == 2)
    }

    @Test func withoutABudgetOfOursTheMaximumRuns() {
        var limit = ConcurrencyLimit(maximum: 48)
        #expect(Self.settle(&limit, seconds: 0.05, budget: nil) == 48)
    }

    @Test func retriedCallsPerTaskLowerTheTasksNeeded() {
        // given a budget of 48 calls/s
        var limit = ConcurrencyLimit(maximum: 512)

        // when tasks of 1 s need 2.5 calls each on average (every other one retries a call)
        for index in 0..<200 { _ = limit.taskFinished(seconds: 1, calls: index % 2 == 0 ? 2 : 3, budget: 48) }

        // then about 48 / 2.5 = 19 tasks/s × 1 s × 1.5 are enough
        #expect(limit.limit == 29)
    }

    @Test func aLowerBudgetLowersTheLimitAtOnce() {
        var limit = ConcurrencyLimit(maximum: 512)
        _ = Self.settle(&limit, seconds: 1, budget: 48)
        #expect(limit.update(budget: 12) == 9)
    }
}
