import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import Testing

/// Tasks' ends written in batches (`RunTaskQueue.complete(_:)`): each kept only under its lease,
/// blocked ones blocking their partner, and the run completed by whichever completion commits last.
@Suite struct TaskCompletionTests {
    @Test func aBatchKeepsOnlyLeasedTasksAndCompletesTheRunWhenNothingIsLeft() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 6)) { h in
            // given six claimed tasks, one of them since rescued and claimed by another worker
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let claimed = try await h.queue.claim(owner: "w1", limit: 6, lease: .seconds(30), logger: h.logger)
            try #require(claimed.count == 6)
            try await h.database.query(
                "UPDATE run_tasks SET lease_owner = 'w2' WHERE id = \(claimed[5].id)", logger: h.logger)

            // when w1 reports all six in one batch: four succeeded, one to retry, the stolen one
            let writes = claimed.enumerated().map { index, task in
                TaskCompletionWrite(
                    task: task, owner: "w1",
                    completion: index == 4 ? .retry(after: .zero, code: "503", error: "unavailable") : .succeeded)
            }
            let kept = try await h.queue.complete(writes, logger: h.logger)

            // then the stolen task was not touched and the run is still open (one pending, one leased)
            #expect(kept == [true, true, true, true, true, false])
            #expect(try await h.runStatus(plan.run.id) == .running)
            let progress = try await h.runs.progress(id: plan.run.id, logger: h.logger)
            #expect(progress?.counts == ["succeeded": 4, "pending": 1, "leased": 1])

            // when the last two end in two batches of two workers at once
            let retried = try await h.queue.claim(owner: "w1", limit: 1, lease: .seconds(30), logger: h.logger)
            try #require(retried.count == 1)
            async let first = h.queue.complete([TaskCompletionWrite(task: retried[0], owner: "w1", completion: .succeeded)], logger: h.logger)
            async let second = h.queue.complete([TaskCompletionWrite(task: claimed[5], owner: "w2", completion: .succeeded)], logger: h.logger)
            #expect(try await first == [true])
            #expect(try await second == [true])

            // then the run is completed
            #expect(try await h.runStatus(plan.run.id) == .completed)
        }
    }

    @Test func aBlockedTaskInABatchBlocksItsPartnersPendingTasks() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 4)) { h in
            // given two claimed tasks of one partner and two still pending
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let claimed = try await h.queue.claim(owner: "w1", limit: 2, lease: .seconds(30), logger: h.logger)
            try #require(claimed.count == 2)

            // when one succeeded and the other hit a partner-level failure, in one batch
            let kept = try await h.queue.complete(
                [
                    TaskCompletionWrite(task: claimed[0], owner: "w1", completion: .succeeded),
                    TaskCompletionWrite(task: claimed[1], owner: "w1", completion: .blocked(code: "AADSTS700082", error: "token expired")),
                ], logger: h.logger)

            // then both are kept and the pending ones wait with the blocked one
            #expect(kept == [true, true])
            let progress = try await h.runs.progress(id: plan.run.id, logger: h.logger)
            #expect(progress?.counts == ["succeeded": 1, "blocked": 3])
        }
    }
}
