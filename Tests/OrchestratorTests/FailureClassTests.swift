import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// Failures are classified before anything is retried: a customer-level refusal ends its task at
/// once, and the run completes with the others instead of idling in `running`.
@Suite struct FailureClassTests {
    @Test func aPostAnswering400FailsItsTaskAtOnceAndTheRunCompletes() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 4), options: RunWorkerTests.unlimited()) { h in
            // given a run over four customers, one of whose POST Partner Center refuses with 400
            try await h.seedGrantSet()
            let customers = try await h.storeCustomers()
            let refused = customers[0]
            // (the fault fires on the POST after a DELETE that removed a consent: grant one first)
            _ = try await h.grantor().regrant(customerID: refused.id, actor: "staff:test", logger: h.logger)
            h.state.updateFaults { $0.failPostAfterDelete[refused.tenantID.description] = 400 }
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)

            // when
            let completed = try await h.runWorkers([h.worker(owner: "w1")]) {
                try await h.runStatus(plan.run.id) == .completed
            }

            // then the refused customer's task failed on its first attempt, with its class and
            // Partner Center's own words, and the run is complete
            #expect(completed)
            let tasks = try await h.runs.tasks(runID: plan.run.id, status: nil, logger: h.logger)
            let task = try #require(tasks.first { $0.customerID == refused.id })
            #expect(task.status == .failed)
            #expect(task.attempts == 1)
            #expect(task.failureClass == .customer)
            #expect(task.lastError?.hasPrefix("POST answered 400") == true, "\(task.lastError ?? "")")
            #expect(tasks.filter { $0.status == .succeeded }.count == 3)
            #expect(tasks.filter { $0.status == .succeeded }.allSatisfy { $0.failureClass == nil })
        }
    }

    @Test func aForbiddenCustomerFailsOnceWithoutRetryingTheCalls() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 2), options: RunWorkerTests.unlimited()) { h in
            // given a customer for which Partner Center answers every call 403
            try await h.seedGrantSet()
            let customers = try await h.storeCustomers()
            h.state.updateFaults { $0.forbiddenCustomers.insert(customers[1].tenantID.description) }
            let plan = try await h.runs.create(.init(scope: .all), actor: "staff:test", logger: h.logger)

            // when
            let completed = try await h.runWorkers([h.worker(owner: "w1")]) {
                try await h.runStatus(plan.run.id) == .completed
            }

            // then one DELETE was made for it, and its task is a customer-level failure
            #expect(completed)
            let calls = h.partnerCenterCalls().filter { $0.customerId == customers[1].tenantID.description }
            #expect(calls.map(\.status) == [403])
            let task = try #require(try await h.runs.tasks(runID: plan.run.id, status: .failed, logger: h.logger).first)
            #expect(task.failureClass == .customer)
            #expect(task.attempts == 1)
        }
    }

    @Test func everyPartnerCenterAnswerHasAClass() {
        // 5xx and timeouts are transient, 429 throttled, 4xx permanent for the customer, 401 and
        // Conditional Access partner-level (partner-center-api.md §4.3)
        #expect(PartnerCenterFailure(status: 500).classify() == .transient(retryAfter: nil))
        #expect(PartnerCenterFailure(status: 503, retryAfter: 4).classify() == .transient(retryAfter: 4))
        #expect(PartnerCenterFailure(status: 408).classify() == .transient(retryAfter: nil))
        #expect(PartnerCenterFailure(status: 429, retryAfter: 2).classify() == .throttled(retryAfter: 2))
        #expect(PartnerCenterFailure(status: 400, code: "600043").classify() == .customerLevel("600043"))
        #expect(PartnerCenterFailure(status: 403).classify() == .customerLevel("403"))
        #expect(PartnerCenterFailure(status: 404, code: "60003").classify() == .customerLevel("60003"))
        #expect(PartnerCenterFailure(status: 401).classify(tokenWasFresh: true) == .partnerLevel(.partnerMustReconsent))
        #expect(PartnerCenterFailure(status: 401).classify(tokenWasFresh: false) == .transient(retryAfter: nil))
        #expect(PartnerCenterFailure(status: 401, code: "900421").classify(tokenWasFresh: false) == .partnerLevel(.mfaRequired))
        #expect(PartnerCenterFailure(status: 403, code: "900309").classify() == .partnerLevel(.conditionalAccessBlocked))
    }
}
