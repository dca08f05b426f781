import ConsentDomain
import Foundation
import Testing

@Suite struct ApplicationIDTests {
    @Test func wellKnownIDsPrintAsTheirDocumentedGUIDs() {
        #expect(ApplicationID.microsoftGraph.description == "00000003-0000-0000-c000-000000000000")
        #expect(ApplicationID.azureResourceManager.description == "797f4846-ba00-4fd7-ba43-dac1f8f63013")
        #expect(ApplicationID.partnerCenter.description == "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd")
        #expect(ApplicationID.legacyAzureADGraph.description == "00000002-0000-0000-c000-000000000000")
    }

    @Test func parsesEitherCaseToTheSameValue() throws {
        let upper = try #require(ApplicationID("797F4846-BA00-4FD7-BA43-DAC1F8F63013"))
        #expect(upper == .azureResourceManager)
    }

    @Test(arguments: ["", "graph", "00000003000000000c000000000000000", "{00000003-0000-0000-c000-000000000000}"])
    func refusesWhatIsNotACanonicalGUID(_ input: String) {
        #expect(ApplicationID(input) == nil)
    }

    @Test func encodesAsALowerCaseString() throws {
        let data = try JSONEncoder().encode([ApplicationID.partnerCenter])
        #expect(String(decoding: data, as: UTF8.self) == #"["fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"]"#)
    }

    @Test func decodingAMalformedIDFails() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ApplicationID].self, from: Data(#"["nope"]"#.utf8))
        }
    }
}
