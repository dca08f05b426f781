import ConsentDomain
import ConsentStore
import Foundation
import MetricsTestKit
import Orchestrator
import PartnerCenterSimulator
import Testing

/// What `/metrics` shows of flow control, read from a test metrics factory after a run.
@Suite struct FlowMetricsTests {
    @Test func aRunCountsItsCallsThrottlesLatencyBudgetAndTasks() async throws {
        var options = RunWorkerTests.unlimited()
        options.faults.throttles[.partnerCenter] = ThrottleFault(next: 3, retryAfterSeconds: 1)
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 6), options: options) { h in
            // given a run of six customers behind a budget of 20 calls/s, Partner Center throttling three calls
            try await h.seedGrantSet()
            try await h.storeCustomers()
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)
            let recorded = TestMetrics()
            let metrics = FlowMetrics(factory: recorded)
            let gate = DatabaseRateGovernor(
                buckets: RateBucketRepository(client: h.database), key: "consent:metrics", budget: .init(limit: 20), metrics: metrics)

            // when
            let completed = try await h.runWorkers([h.worker(owner: "w1", gate: gate, metrics: metrics)]) {
                try await h.runStatus(plan.run.id) == .completed
            }

            // then every call is counted by method and outcome, with its latency
            #expect(completed)
            let calls = "cpv_consent_calls_total"
            #expect(recorded.counterTotal(label: calls, dimensions: [("method", "DELETE"), ("outcome", "expected")]) == 6)
            #expect(recorded.counterTotal(label: calls, dimensions: [("method", "POST"), ("outcome", "success")]) == 6)
            #expect(recorded.counterTotal(label: "cpv_consent_throttled_total") == 3)
            #expect(recorded.counters(label: calls).map(\.totalValue).reduce(0, +) == 15)
            #expect(recorded.timers(label: "cpv_consent_call_duration_seconds").flatMap(\.values).count == 15)
            // and the budget, the tasks in flight and how tasks ended
            #expect(try recorded.expectMeter("cpv_consent_budget_ceiling").lastValue == 18)
            #expect(try recorded.expectMeter("cpv_consent_budget_rate").lastValue ?? 0 > 0)
            #expect(try recorded.expectMeter("cpv_run_tasks_in_flight").lastValue == 0)
            #expect(try recorded.expectMeter("cpv_run_concurrency_limit").lastValue ?? 0 >= 2)
            #expect(recorded.counterTotal(label: "cpv_run_tasks_finished_total", dimensions: [("status", "succeeded"), ("failure_class", "none")]) == 6)
        }
    }
}
