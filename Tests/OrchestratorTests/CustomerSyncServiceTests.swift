import ConsentDomain
import Foundation
import Logging
import Orchestrator
import PartnerCenterSimulator
import ServiceLifecycle
import Testing

@Suite struct CustomerSyncServiceTests {
    @Test func serviceSyncsActivePartnersAtStartAndStopsOnGracefulShutdown() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 10)) { h in
            // given
            let service = CustomerSyncService(sync: h.customerSync(), partners: h.partners, interval: .seconds(3_600), logger: h.logger)
            let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: h.logger))

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                // when
                tasks.addTask { try await group.run() }
                let synced = try await Self.waitUntil(deadline: .seconds(20)) {
                    try await h.customers.count(partnerID: h.partner.id, logger: h.logger) == 10
                }

                // then: the first cycle ran at start-up, and shutdown ends the service without an error
                #expect(synced)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test func syncAllSkipsPartnersThatAreNotActive() async throws {
        try await GrantorHarness.run(world: GrantorHarness.world(customers: 5)) { h in
            // given
            try await h.partners.recordTokenFailure(
                partnerID: h.partner.id, reason: .partnerMustReconsent, code: "AADSTS700082", message: "expired",
                actor: "system:test", logger: h.logger)
            let service = CustomerSyncService(sync: h.customerSync(), partners: h.partners, logger: h.logger)

            // when
            let results = await service.syncAll()

            // then
            #expect(results.isEmpty)
            #expect(h.partnerCenterCalls().isEmpty)
        }
    }

    /// Polls `condition` every 20 ms until it holds or `deadline` passes.
    static func waitUntil(deadline: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}
