import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import PartnerCenterSimulator
import Testing

/// Customer sync against the simulator's `/v1/customers` paging.
@Suite struct CustomerSyncTests {
    @Test func partnerWithFiveThousandCustomersSyncsInOneCall() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 5_000)) { h in
            // given
            let sync = h.customerSync(pageSize: 500)

            // when
            let summary = try await sync.sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(summary.added == 5_000)
            #expect(summary.updated == 0)
            #expect(summary.removed == 0)
            #expect(summary.pages == 10)
            #expect(try await h.customers.count(partnerID: h.partner.id, logger: h.logger) == 5_000)
            let states = try await h.consents.countsByState(partnerID: h.partner.id, logger: h.logger)
            #expect(states == [.unknown: 5_000])
            #expect(h.partnerCenterCalls().count == 10)
        }
    }

    @Test func secondSyncUpdatesInsteadOfAdding() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 120)) { h in
            // given
            let sync = h.customerSync(pageSize: 50)
            _ = try await sync.sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // when
            let summary = try await sync.sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(summary.added == 0)
            #expect(summary.updated == 120)
            #expect(summary.pages == 3)
            #expect(try await h.customers.count(partnerID: h.partner.id, logger: h.logger) == 120)
        }
    }

    @Test func customerNoLongerListedIsMarkedRemovedNotDeleted() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 20)) { h in
            // given: a customer the store knows but Partner Center no longer lists
            let gone = try #require(TenantID("0f0f0f0f-1111-4222-8333-444444444444"))
            _ = try await h.customers.upsertPage(
                partnerID: h.partner.id, customers: [CustomerListing(tenantID: gone, companyName: "Gone Ltd")], logger: h.logger)

            // when
            let summary = try await h.customerSync().sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(summary.added == 20)
            #expect(summary.removed == 1)
            let row = try await h.customers.customer(partnerID: h.partner.id, tenantID: gone, logger: h.logger)
            #expect(row?.removedAt != nil)
            #expect(try await h.customers.count(partnerID: h.partner.id, logger: h.logger) == 20)
            #expect(try await h.customers.count(partnerID: h.partner.id, includingRemoved: true, logger: h.logger) == 21)
        }
    }

    @Test func syncRecordsASummaryAuditEvent() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 30)) { h in
            // given
            let sync = h.customerSync(pageSize: 10)

            // when
            _ = try await sync.sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // then
            let rows = try await h.database.query(
                "SELECT details::text FROM audit_events WHERE action = 'customers.synced' AND partner_id = \(h.partner.id)",
                logger: h.logger)
            var details: [[String: Int]] = []
            for try await text in rows.decode(String.self) {
                details.append(try JSONDecoder().decode([String: Int].self, from: Data(text.utf8)))
            }
            #expect(details.count == 1)
            #expect(details.first?["added"] == 30)
            #expect(details.first?["pages"] == 3)
            #expect(details.first?["removed"] == 0)
            #expect(details.first?["durationMs"] != nil)
        }
    }

    @Test func throttledPageWaitsRetryAfterAndCompletes() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 30)) { h in
            // given
            h.state.updateFaults { $0.throttles[.partnerCenter] = ThrottleFault(next: 1, retryAfterSeconds: 1) }

            // when
            let summary = try await h.customerSync(pageSize: 10).sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)

            // then
            #expect(summary.throttled == 1)
            #expect(summary.added == 30)
            let calls = h.partnerCenterCalls()
            #expect(calls.map(\.status) == [429, 200, 200, 200])
            #expect(calls[1].startedAt - calls[0].endedAt >= 1)
        }
    }

    @Test func aPageAnswering500IsRetriedAndTheSyncCompletes() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 30)) { h in
            // given Partner Center failing every listing call with 500 until the first one was seen
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 500) }
            async let summary = h.customerSync(pageSize: 10).sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)
            let failed = try await CustomerSyncServiceTests.waitUntil(deadline: .seconds(10)) {
                h.partnerCenterCalls().contains { $0.status == 500 }
            }
            h.state.updateFaults { $0.failures[.partnerCenter] = nil }

            // when
            let result = try await summary

            // then the page was asked again and every customer listed
            #expect(failed)
            #expect(result.serverErrors >= 1)
            #expect(result.added == 30)
            #expect(result.listingComplete)
            #expect(h.partnerCenterCalls().filter { $0.status == 200 }.count == 3)
        }
    }

    @Test func aListingThatKeepsAnswering500StopsWithTheStatus() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 30)) { h in
            // given
            h.state.updateFaults { $0.failures[.partnerCenter] = FailureFault(fraction: 1, status: 503) }

            // when / then: four retries, then the error names the status; nothing is marked removed
            let error = await #expect(throws: CustomerSyncError.self) {
                try await h.customerSync(pageSize: 10).sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)
            }
            guard case .partnerCenter(status: 503, _) = error else {
                Issue.record("expected a 503 from Partner Center, got \(String(describing: error))")
                return
            }
            #expect(h.partnerCenterCalls().map(\.status) == [503, 503, 503, 503, 503])
        }
    }

    @Test func refusedContinuationEndsTheListingWithoutMarkingAnyoneRemoved() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 30)) { h in
            // given: a known customer the listing would not return, and requests paced a second apart
            let stale = try #require(TenantID("0f0f0f0f-1111-4222-8333-444444444444"))
            _ = try await h.customers.upsertPage(
                partnerID: h.partner.id, customers: [CustomerListing(tenantID: stale, companyName: "Stale Ltd")], logger: h.logger)
            let sync = h.customerSync(pageSize: 10, pacer: RequestPacer(limit: 60, window: .seconds(60)))

            // when: continuation tokens expire (15 simulated minutes) after the first page
            async let summary = sync.sync(partnerID: h.partner.id, actor: "staff:test", logger: h.logger)
            let firstPage = try await CustomerSyncServiceTests.waitUntil(deadline: .seconds(10)) {
                h.partnerCenterCalls().contains { $0.status == 200 }
            }
            h.state.advanceClock(by: 1_000)
            let result = try await summary

            // then
            #expect(firstPage)
            #expect(h.partnerCenterCalls().map(\.status) == [200, 400])
            #expect(result.pages == 1)
            #expect(result.added == 10)
            #expect(result.listingComplete == false)
            #expect(result.removed == 0)
            let row = try await h.customers.customer(partnerID: h.partner.id, tenantID: stale, logger: h.logger)
            #expect(row?.removedAt == nil)
        }
    }
}
