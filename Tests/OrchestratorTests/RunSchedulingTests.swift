import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// The drift schedule, throttled attempts, and the listing budget in the database.
@Suite struct RunSchedulingTests {
    @Test func theDriftScheduleReconcilesEveryCustomerOneRunAtATime() async throws {
        try await GrantorHarness.run(options: RunWorkerTests.unlimited()) { h in
            // given three customers never granted
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let scheduler = DriftRunScheduler(runs: h.runs, interval: .seconds(3_600), logger: h.logger)

            // when / then: a reconcile run for all three, and none while it is open
            let first = try #require(await scheduler.tick())
            #expect(first.planned == 3)
            #expect(first.run.action == .reconcile)
            #expect(first.run.scope == .all)
            #expect(first.run.requestedBy == DriftRunScheduler.actor)
            #expect(await scheduler.tick() == nil)

            // when the run is worked: each tenant was read as missing, granted, and read again
            let completed = try await h.runWorkers([h.worker(owner: "w1")]) { try await h.runStatus(first.run.id) == .completed }
            #expect(completed)
            #expect(try await h.auditCount(action: "consent.drift.detected", runID: nil) == 3)
            #expect(h.partnerCenterCalls().count == 6)

            // then the next tick reconciles again, and tenants that hold the grant set cost no call
            let second = try #require(await scheduler.tick())
            #expect(second.planned == 3)
            let again = try await h.runWorkers([h.worker(owner: "w2")]) { try await h.runStatus(second.run.id) == .completed }
            #expect(again)
            #expect(h.partnerCenterCalls().count == 6)
            #expect(try await h.auditCount(action: "consent.drift.detected", runID: nil) == 3)
        }
    }

    @Test func aRunWithNothingInScopeCompletesAtOnce() async throws {
        try await GrantorHarness.run { h in
            // given every customer already in an open run
            try await h.seedGrantSet()
            try await h.storeCustomers()
            _ = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)

            // when
            let empty = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)

            // then it does not wait in `queued` for tasks that will never come
            #expect(empty.planned == 0)
            #expect(try await h.runStatus(empty.run.id) == .completed)
        }
    }

    @Test func aTaskThrottledUntilTheGrantorGivesUpDoesNotSpendAnAttempt() async throws {
        var options = RunWorkerTests.unlimited()
        // Eight 429s in a row: more than one grantor pass makes (three calls at most with the fast
        // backoff), so the task is handed back throttled at least twice before a pass succeeds.
        options.faults.throttles[.partnerCenter] = ThrottleFault(next: 8, retryAfterSeconds: 1)
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 1), options: options) { h in
            // given a worker allowing a single attempt per task
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let worker = RunWorker(
                queue: h.queue,
                grantor: ConsentGrantor(
                    partners: h.partners, customers: h.customers, consents: h.consents, tokens: h.tokens,
                    partnerCenter: h.partnerCenter,
                    configuration: .init(backoff: GrantorHarness.fastBackoff, maxConsecutiveThrottles: 1)),
                configuration: .init(
                    owner: "w1", concurrency: 1, lease: .seconds(10), heartbeat: .seconds(1), idlePoll: .milliseconds(50),
                    maxAttempts: 1, backoff: GrantorHarness.fastBackoff),
                logger: h.logger)

            // when
            let completed = try await h.runWorkers([worker], timeout: .seconds(40)) { try await h.runStatus(plan.run.id) == .completed }

            // then the throttled pass was given back: the task succeeded on its only counted attempt
            #expect(completed)
            let task = try #require(try await h.runs.tasks(runID: plan.run.id, status: nil, logger: h.logger).first)
            #expect(task.status == .succeeded)
            #expect(task.attempts == 1)
            let throttled = h.partnerCenterCalls().filter { $0.status == 429 }.count
            #expect(throttled == 8)
        }
    }

    @Test func twoListingPacersShareOnePartnersBudgetThroughTheDatabase() async throws {
        try await GrantorHarness.run { h in
            // given two pacers (two processes) at 120 requests a minute for one partner
            let buckets = RateBucketRepository(client: h.database)
            let pacers = [DatabaseListingPacer(buckets: buckets, requestsPerMinute: 120),
                          DatabaseListingPacer(buckets: buckets, requestsPerMinute: 120)]
            let partner = h.partner.id

            // when each asks for five requests at once
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for pacer in pacers {
                    group.addTask { for _ in 0..<5 { try await pacer.wait(for: partner, logger: h.logger) } }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started

            // then ten requests at 2 a second, burst 1, took at least 4.5 s between them
            #expect(elapsed >= .seconds(4.4), "\(elapsed)")
            #expect(elapsed < .seconds(15), "\(elapsed)")
        }
    }
}
