import CPVTestSupport
import ConsentStore
import Foundation
@testable import Orchestrator
import Testing

/// The Graph and token budgets of reconcile runs (issue #16): a fixed rate shared through the
/// database, a tenant's 429 kept to that tenant, the application's 429s pausing everyone.
@Suite struct RequestBudgetTests {
    @Test func fourTenantsThrottledAreTheirsAFifthMakesItTheApplications() async {
        let witness = ThrottleWitness()
        for tenant in ["a", "b", "c", "d"] {
            #expect(await witness.saw(tenant: tenant, retryAfter: 2, threshold: 5) == nil)
        }
        // the same tenant again is still four tenants
        #expect(await witness.saw(tenant: "a", retryAfter: 9, threshold: 5) == nil)
        // a fifth distinct tenant: pause for the longest Retry-After seen, then start counting anew
        #expect(await witness.saw(tenant: "e", retryAfter: 3, threshold: 5) == 9)
        #expect(await witness.saw(tenant: "f", retryAfter: 3, threshold: 5) == nil)
    }

    @Test func theBudgetPacesRequestsAcrossReservers() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a budget of 20 requests a second shared by two budgets on one key (two processes)
            let buckets = RateBucketRepository(client: client)
            let one = RequestBudget(buckets: buckets, key: "graph:test", perSecond: 20)
            let two = RequestBudget(buckets: buckets, key: "graph:test", perSecond: 20)

            // when 30 requests are admitted through both
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask { try await (index.isMultiple(of: 2) ? one : two).admit(logger: TestDatabase.logger) }
                }
                try await group.waitForAll()
            }

            // then they took at least 29 intervals of 50 ms (burst 1): the two shared one schedule
            #expect(ContinuousClock.now - started >= .milliseconds(1_400))
        }
    }

    @Test func anApplicationThrottlePausesEveryReserver() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a fast budget and five tenants throttled within a second
            let buckets = RateBucketRepository(client: client)
            let budget = RequestBudget(buckets: buckets, key: "graph:paused", perSecond: 1_000)
            try await budget.admit(logger: TestDatabase.logger)
            for tenant in 1...5 {
                await budget.throttled(tenant: "tenant-\(tenant)", retryAfter: 2, logger: TestDatabase.logger)
            }

            // when another process asks for a slot
            let other = RequestBudget(buckets: buckets, key: "graph:paused", perSecond: 1_000)
            let waited = try await other.admit(logger: TestDatabase.logger)

            // then it waited out the pause
            #expect(waited >= .milliseconds(1_800))
        }
    }
}
