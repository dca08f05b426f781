@testable import Composition
import Logging
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func escapesStringsForJSON() {
        #expect(JSONLogHandler.quoted("a\"b\\c\nd\u{01}") == #""a\"b\\c\nd\u0001""#)
    }

    @Test func rendersNestedMetadata() {
        let value: Logger.Metadata.Value = .dictionary(["b": .array(["1", "2"]), "a": .string("x")])
        #expect(JSONLogHandler.json(value) == #"{"a":"x","b":["1","2"]}"#)
    }
}
