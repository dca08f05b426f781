import Foundation
import PartnerCenterSimulator
import Testing

/// Reference §4.1 (MS-RequestId as idempotency key) and §4.4 (throttling: 429 + Retry-After).
@Suite struct IdempotencyAndRateLimitTests {
    @Test func retriedPostWithTheSameRequestIdReturnsTheOriginalAnswer() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            let first = try await h.postConsent(customer: customer, token: token, requestId: "retry-me")
            // when
            let retry = try await h.postConsent(customer: customer, token: token, requestId: "retry-me")
            let fresh = try await h.postConsent(customer: customer, token: token, requestId: "another")
            // then
            #expect(first.status == 201)
            #expect(retry.status == 201)
            #expect(retry.body == first.body)
            #expect(fresh.status == 409)
        }
    }

    @Test func retriedDeleteWithTheSameRequestIdDoesNotApplyTwice() async throws {
        try await SimulatorHarness.run { h in
            // given
            let token = try await h.partnerCenterToken()
            let customer = h.partner.customers[0].tenantId
            _ = try await h.postConsent(customer: customer, token: token)
            let first = try await h.deleteConsent(customer: customer, token: token, requestId: "del-1")
            _ = try await h.postConsent(customer: customer, token: token)
            // when
            let retry = try await h.deleteConsent(customer: customer, token: token, requestId: "del-1")
            // then
            #expect(first.status == 204)
            #expect(retry.status == 204)
            #expect(await h.state.consents(customerId: customer).count == 1)
        }
    }

    @Test func consentWritesAbovePerApplicationLimitAre429WithRetryAfter() async throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.applicationConsentsPerSecond = 3
        try await SimulatorHarness.run(options: options) { h in
            let token = try await h.partnerCenterToken()
            let customers = h.partner.customers.map(\.tenantId)
            // when: one burst, sent at once so that a slow machine cannot spread it over two windows
            let results = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for c in customers { group.addTask { try await h.postConsent(customer: c, token: token) } }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
            let throttled = results.first { $0.status == 429 }
            // then
            #expect(results.filter { $0.status == 201 }.count <= 3)
            #expect(results.filter { $0.status == 201 }.count >= 1)
            let r = try #require(throttled)
            let retryAfter = try #require(Int(r.header("Retry-After") ?? ""))
            #expect(retryAfter >= 1)
            #expect(r.json["statusCode"] as? Int == 429)
            #expect(r.json["message"] as? String == "Rate limit is exceeded. Try again in \(retryAfter) seconds.")
        }
    }

    @Test func throttledRequestsDoNotChangeState() async throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.applicationConsentsPerSecond = 2
        try await SimulatorHarness.run(options: options) { h in
            let token = try await h.partnerCenterToken()
            // when
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for c in h.partner.customers.map(\.tenantId) { group.addTask { try await h.postConsent(customer: c, token: token).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let created = statuses.filter { $0 == 201 }.count
            // then
            #expect(await h.state.allConsents().count == created)
            #expect(created < h.partner.customers.count)
        }
    }

    @Test func customerListingAbovePerPartnerLimitIs429() async throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.customerRequestsPerMinute = 3
        try await SimulatorHarness.run(options: options) { h in
            let token = try await h.partnerCenterToken()
            // when
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await h.get("/v1/customers?size=2", bearer: token).status) }
            // then
            #expect(statuses == [200, 200, 200, 429])
        }
    }

    @Test func rateLimitsCanBeSwitchedOff() async throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.customerRequestsPerMinute = 1
        try await SimulatorHarness.run(options: options) { h in
            let token = try await h.partnerCenterToken()
            h.state.updateFaults { $0.rateLimitsEnabled = false }
            // when
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await h.get("/v1/customers?size=2", bearer: token).status) }
            // then
            #expect(statuses == [200, 200, 200])
        }
    }
}

@Suite struct RateLimitSwitchTests {
    @Test func faultsPutWithoutTheSwitchKeepsRateLimitsAsStarted() async throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.enabled = false
        try await SimulatorHarness.run(options: options) { h in
            // when
            _ = try await h.json(.PUT, "/_sim/faults", bearer: nil, body: ["forbiddenCustomers": [String]()])
            // then
            #expect(h.state.faults.rateLimitsEnabled == false)
        }
    }
}
