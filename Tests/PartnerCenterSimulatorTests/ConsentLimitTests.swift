import Foundation
import PartnerCenterSimulator
import Testing

/// The consent limit over real HTTP: every consent call counts on arrival, whatever becomes of it.
/// The simulator's clock is frozen during each burst, so that all its calls arrive at one instant
/// however slow the machine (the model's timing is covered by RateLimitModelTests).
@Suite struct ConsentLimitTests {
    static let world = SimulatorWorld.generated(seed: 7, partners: 1, customersPerPartner: 60)

    /// Sends one POST per customer, eight at a time (the client's connection pool), and returns the
    /// answers in customer order. With the clock frozen they all arrive at one simulated instant.
    static func burst(_ h: SimulatorHarness, _ customers: [String], token: String) async throws -> [HTTPResult] {
        try await withThrowingTaskGroup(of: (Int, HTTPResult).self) { group in
            var results = [HTTPResult?](repeating: nil, count: customers.count)
            for (i, c) in customers.enumerated() {
                if i >= 8, let (done, r) = try await group.next() { results[done] = r }
                group.addTask { (i, try await h.postConsent(customer: c, token: token)) }
            }
            for try await (i, r) in group { results[i] = r }
            return results.compactMap { $0 }
        }
    }

    @Test func aBurstOf60GetsExactly50AdmittedByTheDefaultSlidingWindow() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            // when
            let results = try await Self.burst(h, h.partner.customers.map(\.tenantId), token: token)
            // then
            let answers = "\(results.count) answers: \(results.map { "\($0.status)/\($0.header("Retry-After") ?? "-")" })"
            #expect(results.filter { $0.status == 201 }.count == 50, "\(answers)")
            let refused = results.filter { $0.status == 429 }
            #expect(refused.count == 10, "\(answers)")
            #expect(refused.allSatisfy { $0.header("Retry-After") == "1" && $0.json["statusCode"] as? Int == 429 }, "\(answers)")
            #expect(h.state.calls().filter { $0.status == 429 }.allSatisfy { $0.injected == nil })
        }
    }

    @Test func theRefusedCallSucceedsOnceTheWindowHasMoved() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            let customers = h.partner.customers.map(\.tenantId)
            let results = try await Self.burst(h, Array(customers.prefix(51)), token: token)
            let refused = try #require(zip(customers, results).first { $0.1.status == 429 }?.0)
            // when: (by more than the window: a frozen instant plus exactly 1 s is not exact in floating point)
            h.state.clock.advance(by: 1.5)
            let retry = try await h.postConsent(customer: refused, token: token)
            // then
            #expect(retry.status == 201)
        }
    }

    @Test func injectedServerErrorsCountAgainstTheLimit() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given: 50 calls answered 503 by an injected fault
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 503) }
            let failed = try await Self.burst(h, h.partner.customers.prefix(50).map(\.tenantId), token: token)
            h.state.updateFaults { $0.failures = [:] }
            // when
            let next = try await h.postConsent(customer: h.partner.customers[50].tenantId, token: token)
            // then
            #expect(failed.allSatisfy { $0.status == 503 })
            #expect(next.status == 429)
            #expect(await h.state.allConsents().isEmpty)
        }
    }

    @Test func injectedThrottlesCountAgainstTheLimit() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            h.state.updateFaults { $0.throttles[.partnerCenter] = ThrottleFault(next: 50, retryAfterSeconds: 3) }
            let throttled = try await Self.burst(h, h.partner.customers.prefix(50).map(\.tenantId), token: token)
            // when
            let next = try await h.postConsent(customer: h.partner.customers[50].tenantId, token: token)
            // then
            #expect(throttled.allSatisfy { $0.status == 429 && $0.header("Retry-After") == "3" })
            #expect(next.status == 429)
            #expect(next.header("Retry-After") == "1")
            #expect(h.state.stats().consentCalls.throttledSporadic == 50)
            #expect(h.state.stats().consentCalls.throttledByLimiter == 1)
        }
    }

    @Test func callsRefusedByPartnerCenterCountAgainstTheLimit() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given: 50 DELETEs in a customer the partner may not touch (403)
            let token = try await h.partnerCenterToken()
            let forbidden = h.partner.customers[0].tenantId
            h.state.updateFaults { $0.forbiddenCustomers = [forbidden] }
            h.state.clock.freeze()
            var statuses: [Int] = []
            for _ in 0..<50 { statuses.append(try await h.deleteConsent(customer: forbidden, token: token).status) }
            // when
            let next = try await h.postConsent(customer: h.partner.customers[1].tenantId, token: token)
            // then
            #expect(statuses.allSatisfy { $0 == 403 })
            #expect(next.status == 429)
        }
    }

    @Test func statsReportPeaksAndCausesAndCanBeReset() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            _ = try await Self.burst(h, h.partner.customers.map(\.tenantId), token: token)
            // when
            let stats = try await h.get("/_sim/stats")
            let reset = try await h.send(.DELETE, "/_sim/stats")
            let after = try await h.get("/_sim/stats")
            // then
            let calls = try #require(stats.json["consentCalls"] as? [String: Any])
            #expect(calls["arrivals"] as? Int == 60)
            #expect(calls["admitted"] as? Int == 50)
            #expect(calls["peakPerSecond"] as? Int == 60)
            #expect(calls["peakAdmittedPerSecond"] as? Int == 50)
            #expect(calls["throttledByLimiter"] as? Int == 10)
            #expect(calls["answered"] as? [String: Int] == ["201": 50, "429": 10])
            #expect(reset.status == 204)
            #expect((after.json["consentCalls"] as? [String: Any])?["arrivals"] as? Int == 0)
        }
    }

    @Test func otherConsumerLeavesUsTheLimitMinusItsRate() async throws {
        try await SimulatorHarness.run(world: Self.world) { h in
            // given: another client of the app making 20 consent calls a second for two seconds (and
            // half its interval, so that no call of its sits on the window's edge)
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            let put = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["otherConsumer": ["callsPerSecond": 20]])
            h.state.clock.advance(by: 2.025)
            // when
            let results = try await Self.burst(h, h.partner.customers.map(\.tenantId), token: token)
            // then
            #expect((put.json["otherConsumer"] as? [String: Any])?["since"] as? Double != nil)
            #expect(results.filter { $0.status == 201 }.count == 30)
            #expect(h.state.stats().consentCalls.otherConsumerCalls == 40)
        }
    }
}
