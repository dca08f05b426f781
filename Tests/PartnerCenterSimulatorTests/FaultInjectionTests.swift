import AsyncHTTPClient
import Foundation
import PartnerCenterSimulator
import Testing

/// Faults the orchestrator must survive (reference §4.4, §6, §10 checklist).
@Suite struct FaultInjectionTests {
    /// True when `body` throws (here: the client gave up at its deadline).
    static func fails(_ body: () async throws -> HTTPResult) async -> Bool {
        do { _ = try await body(); return false } catch { return true }
    }

    @Test func forcedThrottleAnswersTheNextNRequestsWithTheGivenRetryAfter() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.updateFaults { $0.throttles[.partnerCenter] = ThrottleFault(next: 2, retryAfterSeconds: 7) }
            // when
            let a = try await h.get("/v1/customers", bearer: token)
            let b = try await h.get("/v1/customers", bearer: token)
            let c = try await h.get("/v1/customers", bearer: token)
            // then
            #expect([a.status, b.status, c.status] as [Int] == [429, 429, 200])
            #expect(a.header("Retry-After") == "7")
        }
    }

    @Test func failureFractionAnswersServerErrorsWithoutChangingState() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 500) }
            // when
            let r = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token)
            // then
            #expect(r.status == 500)
            #expect(r.json["source"] as? String == "PartnerFD")
            #expect(await h.state.allConsents().isEmpty)
        }
    }

    @Test func latencyDelaysTheAnswer() async throws {
        try await SimulatorHarness.run { h in
            // given
            h.state.updateFaults { $0.latency[.graph] = LatencyFault(fixedMilliseconds: 150, jitterMilliseconds: 10) }
            let started = ContinuousClock.now
            // when
            _ = try await h.get("/v1.0/organization")
            // then
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }

    @Test func hungRequestMissesTheClientDeadlineWithoutBlockingOthers() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.updateFaults { $0.hangs[.partnerCenter] = CountOrFraction(next: 1) }
            // when
            async let hung: Bool = Self.fails { try await h.send(.GET, "/v1/customers", headers: [("Authorization", "Bearer \(token)")], timeout: .milliseconds(700)) }
            // the hang is consumed by whichever request arrives first, so wait until it is taken
            let deadline = ContinuousClock.now + .seconds(10)
            while h.state.faults.hangs[.partnerCenter]?.next != 0 && ContinuousClock.now < deadline { await Task.yield() }
            let other = try await h.get("/v1/customers", bearer: token)
            let hungFailed = await hung
            // then
            #expect(other.status == 200)
            #expect(hungFailed)
        }
    }

    @Test func postAfterDeleteFailsOnceLeavingTheCustomerWithoutConsent() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            h.state.updateFaults { $0.failPostAfterDelete[customer] = 500 }
            // when
            let delete = try await h.deleteConsent(customer: customer, token: token)
            let post = try await h.postConsent(customer: customer, token: token)
            let gap = await h.state.consents(customerId: customer)
            let retry = try await h.postConsent(customer: customer, token: token)
            // then
            #expect(delete.status == 204)
            #expect(post.status == 500)
            #expect(gap.isEmpty)
            #expect(retry.status == 201)
        }
    }

    @Test func forbiddenCustomerAlwaysAnswers403() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[2].tenantId
            h.state.updateFaults { $0.forbiddenCustomers = [customer] }
            // when
            let post = try await h.postConsent(customer: customer, token: token)
            let delete = try await h.deleteConsent(customer: customer, token: token)
            let get = try await h.get("/v1/customers/\(customer)", bearer: token)
            // then
            #expect([post.status, delete.status, get.status] as [Int] == [403, 403, 403])
        }
    }

    @Test func faultsCanBeReadAndClearedThroughTheControlAPI() async throws {
        try await SimulatorHarness.run { h in
            // given
            _ = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: [
                "throttles": ["partnerCenter": ["next": 1, "retryAfterSeconds": 3]],
                "latency": ["arm": ["fixedMilliseconds": 5, "jitterMilliseconds": 0]],
            ])
            let read = try await h.get("/_sim/faults")
            // when
            _ = try await h.send(.DELETE, "/_sim/faults")
            // then
            #expect(((read.json["throttles"] as? [String: Any])?["partnerCenter"] as? [String: Any])?["next"] as? Int == 1)
            let cleared = h.state.faults
            #expect(cleared == SimulatorFaults())
        }
    }
}
