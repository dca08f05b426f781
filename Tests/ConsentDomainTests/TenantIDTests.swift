import ConsentDomain
import Foundation
import Testing

@Suite struct TenantIDTests {
    @Test func parsesAGUIDInEitherCaseAndPrintsLowerCase() throws {
        let upper = try #require(TenantID("6E3B6F2C-1A7B-4D4B-9C55-3B1F1A2D8E01"))
        let lower = try #require(TenantID("6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01"))
        #expect(upper == lower)
        #expect(upper.description == "6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01")
    }

    @Test(arguments: ["", "contoso.onmicrosoft.com", "6e3b6f2c1a7b4d4b9c553b1f1a2d8e01", "{6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01}", "6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e0z"])
    func refusesWhatIsNotACanonicalGUID(_ input: String) {
        #expect(TenantID(input) == nil)
    }

    @Test func decodingAMalformedTenantIDFails() {
        let json = Data(#"{"tenant":"not-a-guid"}"#.utf8)
        struct Wrapper: Decodable { let tenant: TenantID }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: json) }
    }
}
