import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import Testing

/// Creating, watching and steering runs in the store (no worker involved).
@Suite struct RunRepositoryTests {
    @Test func aDryRunCountsWithoutCreatingTasks() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 5)) { h in
            // given
            try await h.seedGrantSet()
            try await h.storeCustomers()

            // when
            let plan = try await h.runs.create(.init(scope: .all, dryRun: true), actor: "staff:test", logger: h.logger)

            // then
            #expect(plan.planned == 5)
            #expect(plan.run.status == .completed)
            #expect(plan.run.dryRun)
            #expect(try await h.runs.tasks(runID: plan.run.id, status: nil, logger: h.logger).isEmpty)
            #expect(try await h.auditCount(action: "run.planned", runID: plan.run.id) == 1)
        }
    }

    @Test func missingCustomersComeFirstAndCustomersInAnOpenRunAreSkipped() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 5)) { h in
            // given one customer missing and one already in an open run
            try await h.seedGrantSet()
            let stored = try await h.storeCustomers()
            try await h.consents.apply(
                customerID: stored[3].id, change: ConsentStateChange(state: .missing, grantSetVersion: nil), audit: [],
                logger: h.logger)
            let first = try await h.runs.create(.init(scope: .customerIDs([stored[0].id])), actor: "staff:test", logger: h.logger)

            // when
            let second = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let claimed = try await h.queue.claim(owner: "w", limit: 1, lease: .seconds(5), logger: h.logger)

            // then
            #expect(first.planned == 1)
            #expect(second.planned == 4)
            #expect(second.missing == 1)
            // The first run's task was created first, but the missing customer outranks it.
            #expect(claimed.map(\.customerID) == [stored[3].id])
        }
    }

    @Test func theRateOfARunYoungerThanAMinuteIsCountedSinceItStarted() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 5)) { h in
            // given a run started 10 s ago whose 5 tasks all finished
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let started = ContinuousClock.now
            try await h.database.query(
                "UPDATE runs SET status = 'running', started_at = now() - interval '10 seconds' WHERE id = \(plan.run.id)", logger: h.logger)
            try await h.database.query(
                "UPDATE run_tasks SET status = 'succeeded', finished_at = now() WHERE run_id = \(plan.run.id)", logger: h.logger)

            // when
            let progress = try await h.runs.progress(id: plan.run.id, logger: h.logger)
            let late = (ContinuousClock.now - started) / .seconds(1)

            // then 5 tasks over 10 s (and however long this test itself took on a busy machine),
            // not over a whole minute
            let rate = try #require(progress?.ratePerSecond)
            #expect(rate > 5 / (10 + late + 0.5) && rate <= 0.5, "rate \(rate)")
        }
    }

    @Test func pausedRunsAreNotClaimedResumedOnesAreAndCancelCancelsWaitingTasks() async throws {
        try await GrantorHarness.run { h in
            // given
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)

            // when
            let paused = try await h.runs.apply(.pause, runID: plan.run.id, actor: "staff:test", logger: h.logger)
            let whilePaused = try await h.queue.claim(owner: "w", limit: 10, lease: .seconds(5), logger: h.logger)
            let resumed = try await h.runs.apply(.resume, runID: plan.run.id, actor: "staff:test", logger: h.logger)
            let afterResume = try await h.queue.claim(owner: "w", limit: 1, lease: .seconds(5), logger: h.logger)
            let cancelled = try await h.runs.apply(.cancel, runID: plan.run.id, actor: "staff:test", logger: h.logger)
            let progress = try await h.runs.progress(id: plan.run.id, logger: h.logger)

            // then
            #expect(paused.status == .paused)
            #expect(whilePaused.isEmpty)
            #expect(resumed.status == .running)
            #expect(afterResume.count == 1)
            #expect(cancelled.status == .cancelled)
            #expect(progress?.counts == ["leased": 1, "cancelled": 2])
            await #expect(throws: RunStoreError.self) {
                try await h.runs.apply(.resume, runID: plan.run.id, actor: "staff:test", logger: h.logger)
            }
        }
    }
}
