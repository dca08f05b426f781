import Foundation
import PartnerCenterSimulator
import Testing

@Suite struct SimulatorWorldTests {
    @Test func sameSeedGivesTheSameIds() {
        // given / when
        let a = SimulatorWorld.generated(seed: 42, partners: 2, customersPerPartner: 3)
        let b = SimulatorWorld.generated(seed: 42, partners: 2, customersPerPartner: 3)
        // then
        #expect(a == b)
        #expect(a.partners[1].customers[2].tenantId == b.partners[1].customers[2].tenantId)
    }

    @Test func differentSeedsGiveDifferentIds() {
        // given / when
        let a = SimulatorWorld.generated(seed: 1, partners: 1, customersPerPartner: 1)
        let b = SimulatorWorld.generated(seed: 2, partners: 1, customersPerPartner: 1)
        // then
        #expect(a.partners[0].tenantId != b.partners[0].tenantId)
    }

    @Test func generatedIdsAreGUIDs() {
        // given
        let world = SimulatorWorld.generated(seed: 3, partners: 1, customersPerPartner: 2)
        // then
        #expect(UUID(uuidString: world.applications[0].appId) != nil)
        #expect(UUID(uuidString: world.partners[0].customers[1].tenantId) != nil)
    }

    @Test func worldRoundTripsThroughJSON() throws {
        // given
        var world = SimulatorWorld.generated(seed: 9, partners: 1, customersPerPartner: 2)
        world.applications[0].clientSecrets.append(SimulatedClientSecret(value: "old", expiresAt: Date(timeIntervalSince1970: 1_700_000_000)))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        // when
        try world.jsonData().write(to: url)
        let loaded = try SimulatorWorld.load(contentsOf: url)
        // then
        #expect(loaded == world)
    }
}
