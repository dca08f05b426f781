import ConsentDomain
import Foundation
import Testing

@Suite struct RunScopeTests {
    func decode(_ json: String) throws -> RunScope {
        try JSONDecoder().decode(RunScope.self, from: Data(json.utf8))
    }

    func decodingError(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let DecodingError.dataCorrupted(context) {
            return context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    @Test func decodesAll() throws {
        #expect(try decode(#"{"all": true}"#) == .all)
    }

    @Test func decodesDrift() throws {
        #expect(try decode(#"{"drift": true}"#) == .drift)
    }

    @Test func decodesPartnerIDs() throws {
        let id = UUID()
        #expect(try decode(#"{"partnerIds": ["\#(id.uuidString.lowercased())"]}"#) == .partnerIDs([id]))
    }

    @Test func decodesCustomerIDs() throws {
        #expect(try decode(#"{"customerIds": [1, 42]}"#) == .customerIDs([1, 42]))
    }

    @Test func decodesStates() throws {
        #expect(try decode(#"{"states": ["missing", "failed"]}"#) == .states([.missing, .failed]))
    }

    @Test func twoKeysAreRefusedNamingBoth() {
        #expect(decodingError(#"{"all": true, "drift": true}"#)?.contains("found all, drift") == true)
    }

    @Test func noKeyIsRefused() {
        #expect(decodingError("{}")?.contains("found no key") == true)
    }

    @Test func anUnknownKeyIsRefusedNamingIt() {
        #expect(decodingError(#"{"tenants": ["x"]}"#)?.contains("unknown scope key tenants") == true)
    }

    @Test func allFalseIsRefused() {
        #expect(throws: DecodingError.self) { try decode(#"{"all": false}"#) }
    }

    @Test func anEmptyListIsRefused() {
        #expect(throws: DecodingError.self) { try decode(#"{"customerIds": []}"#) }
    }

    @Test func anUnknownStateIsRefused() {
        #expect(throws: DecodingError.self) { try decode(#"{"states": ["red"]}"#) }
    }

    @Test(arguments: [RunScope.all, .drift, .partnerIDs([UUID()]), .customerIDs([7]), .states([.missing])])
    func everyScopeSurvivesARoundTrip(_ scope: RunScope) throws {
        #expect(try JSONDecoder().decode(RunScope.self, from: JSONEncoder().encode(scope)) == scope)
    }

    @Test func allEncodesAsTheAPIForm() throws {
        #expect(String(decoding: try JSONEncoder().encode(RunScope.all), as: UTF8.self) == #"{"all":true}"#)
    }

    @Test func statesEncodeAsTheirSchemaNames() throws {
        let json = String(decoding: try JSONEncoder().encode(RunScope.states([.missing, .failed])), as: UTF8.self)
        #expect(json == #"{"states":["missing","failed"]}"#)
    }

    @Test func partnerIdsEncodeLowerCaseAsGUIDsArePrintedEverywhere() throws {
        let id = UUID()
        let json = String(decoding: try JSONEncoder().encode(RunScope.partnerIDs([id])), as: UTF8.self)
        #expect(json == #"{"partnerIds":["\#(id.uuidString.lowercased())"]}"#)
    }
}
