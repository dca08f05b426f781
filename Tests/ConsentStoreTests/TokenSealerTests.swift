import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Testing

@Suite struct TokenSealerTests {
    func ring(_ value: String) throws -> SealingKeyRing { try SealingKeyRing(parsing: Secret(value)) }
    let partner = UUID()

    @Test func sealsAndOpensARefreshToken() throws {
        let sealer = TokenSealer(keys: try ring(TestEnvironment.sealingKeys))
        let sealed = try sealer.seal(Secret("0.AAAA-refresh-token"), partnerID: partner)
        #expect(sealed.keyID == "test1")
        #expect(!String(decoding: sealed.combined, as: UTF8.self).contains("refresh-token"))
        #expect(try sealer.open(sealed, partnerID: partner).revealed == "0.AAAA-refresh-token")
    }

    @Test func twoSealsOfOneTokenDiffer() throws {
        let sealer = TokenSealer(keys: try ring(TestEnvironment.sealingKeys))
        let first = try sealer.seal(Secret("same"), partnerID: partner)
        let second = try sealer.seal(Secret("same"), partnerID: partner)
        #expect(first.combined != second.combined)
    }

    @Test func aTokenSealedForOnePartnerDoesNotOpenForAnother() throws {
        let sealer = TokenSealer(keys: try ring(TestEnvironment.sealingKeys))
        let sealed = try sealer.seal(Secret("rt"), partnerID: partner)
        #expect(throws: SealingError.openFailed) { try sealer.open(sealed, partnerID: UUID()) }
    }

    @Test func aRelabelledKeyIDDoesNotOpen() throws {
        let second = SealingKeyRing.generateEntry(id: "k2").revealed
        let sealer = TokenSealer(keys: try ring(TestEnvironment.sealingKeys + "," + second))
        let sealed = try sealer.seal(Secret("rt"), partnerID: partner)
        let relabelled = TokenSealer.Sealed(keyID: "k2", combined: sealed.combined)
        #expect(throws: SealingError.openFailed) { try sealer.open(relabelled, partnerID: partner) }
    }

    @Test func anOldKeyStillOpensAndIsMarkedForRotation() throws {
        let old = TokenSealer(keys: try ring(TestEnvironment.sealingKeys))
        let sealed = try old.seal(Secret("rt"), partnerID: partner)
        let rotated = TokenSealer(keys: try ring(SealingKeyRing.generateEntry(id: "k2").revealed + "," + TestEnvironment.sealingKeys))
        #expect(sealed.keyID != rotated.keys.current.id)
        #expect(try rotated.open(sealed, partnerID: partner).revealed == "rt")
        #expect(try rotated.seal(Secret("rt"), partnerID: partner).keyID == rotated.keys.current.id)
    }

    @Test func aRemovedKeyIsNamedInTheError() throws {
        let sealed = try TokenSealer(keys: try ring(TestEnvironment.sealingKeys)).seal(Secret("rt"), partnerID: partner)
        let without = TokenSealer(keys: try ring(SealingKeyRing.generateEntry(id: "k2").revealed))
        #expect(throws: SealingError.unknownKey("test1")) { try without.open(sealed, partnerID: partner) }
    }
}
