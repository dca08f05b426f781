/// One canonical text for a JSON value, so that a hash over a JSON field comes out the same whether
/// it is computed from the text we wrote or from what PostgreSQL's `jsonb` hands back (which
/// reorders keys, drops whitespace, keeps the last of duplicate keys, rewrites escapes and
/// normalises numbers).
///
/// The form: no whitespace; object keys sorted by their UTF-8 bytes, duplicates resolved to the
/// last; strings with only `"`, `\` and control characters escaped (`\u00XX`); numbers by value
/// (integers up to 2^53 as digits, others in Swift's shortest round-trip form, `-0` as `0`).
/// Hand-written rather than Foundation's parser, so nothing about it depends on a platform's choices.
enum CanonicalJSON {
    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        var description: String { "malformed JSON at byte \(offset)" }
    }

    /// Deep enough for any audit payload; deeper input is refused rather than risking the stack.
    static let maximumDepth = 256

    static func canonical(_ text: String) throws(Malformed) -> String {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        var output: [UInt8] = []
        try parser.value(into: &output, depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw Malformed(offset: parser.index) }
        return String(decoding: output, as: UTF8.self)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(into output: inout [UInt8], depth: Int) throws(Malformed) {
            guard depth < CanonicalJSON.maximumDepth, index < bytes.count else { throw Malformed(offset: index) }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(into: &output, depth: depth)
            case UInt8(ascii: "["): try array(into: &output, depth: depth)
            case UInt8(ascii: "\""): CanonicalJSON.emit(string: try string(), into: &output)
            case UInt8(ascii: "t"): try literal("true", into: &output)
            case UInt8(ascii: "f"): try literal("false", into: &output)
            case UInt8(ascii: "n"): try literal("null", into: &output)
            default: try number(into: &output)
            }
        }

        mutating func object(into output: inout [UInt8], depth: Int) throws(Malformed) {
            index += 1
            var members: [(key: [UInt8], value: [UInt8])] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
                    let key = Array(try string().utf8)
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    skipWhitespace()
                    var value: [UInt8] = []
                    try self.value(into: &value, depth: depth + 1)
                    // jsonb keeps the last of duplicate keys; so does the canonical form.
                    members.removeAll { $0.key == key }
                    members.append((key, value))
                    skipWhitespace()
                    guard index < bytes.count else { throw Malformed(offset: index) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    break
                }
            }
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalJSON.emit(string: String(decoding: member.key, as: UTF8.self), into: &output)
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: member.value)
            }
            output.append(UInt8(ascii: "}"))
        }

        mutating func array(into output: inout [UInt8], depth: Int) throws(Malformed) {
            index += 1
            output.append(UInt8(ascii: "["))
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
            } else {
                var first = true
                while true {
                    skipWhitespace()
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    try value(into: &output, depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw Malformed(offset: index) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    break
                }
            }
            output.append(UInt8(ascii: "]"))
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard index < bytes.count, bytes[index] == byte else { throw Malformed(offset: index) }
            index += 1
        }

        mutating func literal(_ word: String, into output: inout [UInt8]) throws(Malformed) {
            let expected = Array(word.utf8)
            guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw Malformed(offset: index)
            }
            index += expected.count
            output.append(contentsOf: expected)
        }

        mutating func number(into output: inout [UInt8]) throws(Malformed) {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { throw Malformed(offset: start) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fraction = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                guard index > fraction else { throw Malformed(offset: start) }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                let exponent = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                guard index > exponent else { throw Malformed(offset: start) }
            }
            guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw Malformed(offset: start) }
            output.append(contentsOf: Array(CanonicalJSON.number(value).utf8))
        }

        mutating func string() throws(Malformed) -> String {
            let start = index
            index += 1
            var scalars = String.UnicodeScalarView()
            var literalStart = index
            while true {
                guard index < bytes.count else { throw Malformed(offset: start) }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    scalars.append(contentsOf: String(decoding: bytes[literalStart..<index], as: UTF8.self).unicodeScalars)
                    index += 1
                    return String(scalars)
                }
                guard byte >= 0x20 else { throw Malformed(offset: index) }
                guard byte == UInt8(ascii: "\\") else { index += 1; continue }
                scalars.append(contentsOf: String(decoding: bytes[literalStart..<index], as: UTF8.self).unicodeScalars)
                index += 1
                guard index < bytes.count else { throw Malformed(offset: start) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
                default: throw Malformed(offset: index - 1)
                }
                literalStart = index
            }
        }

        /// `\uXXXX`, joining a surrogate pair; a lone surrogate is malformed (jsonb refuses it too).
        mutating func unicodeEscape() throws(Malformed) -> Unicode.Scalar {
            let high = try hex4()
            if (0xD800...0xDBFF).contains(high) {
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw Malformed(offset: index)
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                else { throw Malformed(offset: index) }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw Malformed(offset: index) }
            return scalar
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw Malformed(offset: index)
            }
            index += 4
            return value
        }
    }

    static func number(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value.rounded() == value, abs(value) <= 9_007_199_254_740_992 { return String(Int64(value)) }
        return value.description
    }

    static func emit(string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: Array("\\\"".utf8))
            case UInt8(ascii: "\\"): output.append(contentsOf: Array("\\\\".utf8))
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8))
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
