import Foundation
import PartnerCenterSimulator
import Testing

/// `/_sim/rate-limits`, storms and sporadic throttles through the control API, over HTTP.
@Suite struct LimitControlAPITests {
    @Test func rateLimitsDefaultToTheStrictestReading() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.get("/_sim/rate-limits")
            // then
            #expect(r.json["model"] as? String == "sliding-window")
            #expect(r.json["applicationConsentsPerSecond"] as? Int == 50)
            #expect(r.json["customerRequestsPerMinute"] as? Int == 500)
            #expect(r.json["countRejected"] as? Bool == true)
            #expect(r.json["enabled"] as? Bool == true)
        }
    }

    @Test func rateLimitsRoundTripAndTakeEffect() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            // when
            let put = try await h.json(.PUT, "/_sim/rate-limits", bearer: nil, body: [
                "model": "fixed-window", "applicationConsentsPerSecond": 2, "countRejected": false,
            ])
            let get = try await h.get("/_sim/rate-limits")
            var statuses: [Int] = []
            for c in h.partner.customers.prefix(3) { statuses.append(try await h.postConsent(customer: c.tenantId, token: token).status) }
            // then
            #expect(put.status == 200)
            #expect(get.json["model"] as? String == "fixed-window")
            #expect(get.json["applicationConsentsPerSecond"] as? Int == 2)
            #expect(get.json["customerRequestsPerMinute"] as? Int == 500)
            #expect(get.json["countRejected"] as? Bool == false)
            #expect(statuses == [201, 201, 429])
        }
    }

    @Test func changingTheModelForgetsWhatTheOldOneCounted() async throws {
        try await SimulatorHarness.run { h in
            // given: the window is full
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            _ = try await h.json(.PUT, "/_sim/rate-limits", bearer: nil, body: ["applicationConsentsPerSecond": 1])
            let first = try await h.postConsent(customer: h.partner.customers[0].tenantId, token: token)
            let full = try await h.postConsent(customer: h.partner.customers[1].tenantId, token: token)
            // when
            _ = try await h.json(.PUT, "/_sim/rate-limits", bearer: nil, body: ["model": "token-bucket"])
            let fresh = try await h.postConsent(customer: h.partner.customers[1].tenantId, token: token)
            // then
            #expect([first.status, full.status, fresh.status] as [Int] == [201, 429, 201])
        }
    }

    @Test func rateLimitsRefuseAnUnknownModelWithAStableCode() async throws {
        try await SimulatorHarness.run { h in
            // when
            let r = try await h.json(.PUT, "/_sim/rate-limits", bearer: nil, body: ["model": "leaky-bucket"])
            // then
            #expect(r.status == 400)
            #expect((r.json["error"] as? [String: Any])?["code"] as? String == "invalid_rate_limits")
            #expect(h.state.rateLimits.model == .slidingWindow)
        }
    }

    @Test func rateLimitsEnabledIsTheFaultsSwitch() async throws {
        try await SimulatorHarness.run { h in
            // when
            _ = try await h.json(.PUT, "/_sim/rate-limits", bearer: nil, body: ["enabled": false])
            // then
            #expect(h.state.faults.rateLimitsEnabled == false)
            #expect(try await h.get("/_sim/rate-limits").json["enabled"] as? Bool == false)
        }
    }

    @Test func stormAnswers429UntilItEndsOnTheSimulatorClock() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            h.state.clock.freeze()
            let put = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: [
                "storms": ["partnerCenter": ["fraction": 1, "retryAfterSeconds": 7, "seconds": 10]],
            ])
            // when
            let during = try await h.get("/v1/customers", bearer: token)
            h.state.clock.advance(by: 10.5)
            let after = try await h.get("/v1/customers", bearer: token)
            // then
            let storm = try #require((put.json["storms"] as? [String: Any])?["partnerCenter"] as? [String: Any])
            let startedAt = try #require(storm["startedAt"] as? Double)
            #expect(storm["endsAt"] as? Double == startedAt + 10)
            #expect(during.status == 429)
            #expect(during.header("Retry-After") == "7")
            #expect(after.status == 200)
            #expect(h.state.calls().first { $0.status == 429 }?.injected == "storm")
        }
    }

    @Test func latencyDistributionsAreSetThroughTheFaultsAPI() async throws {
        try await SimulatorHarness.run { h in
            // when
            let put = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: [
                "latency": [
                    "arm": ["fixedMilliseconds": 50, "jitterMilliseconds": 10],
                    "partnerCenter": ["distribution": "lognormal", "medianMilliseconds": 80, "p99Milliseconds": 400,
                                      "stallFraction": 0.001, "stallMilliseconds": 5000],
                ],
            ])
            let bad = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["latency": ["graph": ["distribution": "lognormal"]]])
            // then
            #expect(put.status == 200)
            #expect(h.state.faults.latency[.arm] == LatencyFault(fixedMilliseconds: 50, jitterMilliseconds: 10))
            #expect(h.state.faults.latency[.partnerCenter] == .lognormal(medianMilliseconds: 80, p99Milliseconds: 400).withStalls(fraction: 0.001, milliseconds: 5_000))
            #expect(bad.status == 400)
            #expect((bad.json["error"] as? [String: Any])?["code"] as? String == "invalid_faults")
        }
    }

    @Test func sporadicThrottlesHitTheSameCallsAtAnyLoad() async throws {
        // given: seeded dice, limits off so that only the fault answers 429
        var options = SimulatorOptions()
        options.randomSeed = 42
        options.rateLimits.enabled = false
        options.faults.throttles[.partnerCenter] = ThrottleFault(fraction: 0.25, retryAfterSeconds: 1)
        try await SimulatorHarness.run(world: ConsentLimitTests.world, options: options) { h in
            let token = try await h.partnerCenterToken()
            let customers = h.partner.customers.map(\.tenantId)
            _ = try await h.send(.POST, "/_sim/reset")
            // when: the same 60 calls one by one, then all at once, each from a fresh seed
            for c in customers { _ = try await h.postConsent(customer: c, token: token) }
            let trickle = h.state.stats().consentCalls.throttledSporadic
            _ = try await h.send(.POST, "/_sim/reset")
            _ = try await ConsentLimitTests.burst(h, customers, token: token)
            let burst = h.state.stats().consentCalls.throttledSporadic
            // then
            #expect(trickle == burst)
            #expect((5...25).contains(trickle))
        }
    }
}
