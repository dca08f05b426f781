import Foundation

/// Parses the YAML subset our OpenAPI document is written in: block mappings and sequences by
/// indentation (a sequence item may open a mapping), flow mappings and sequences, plain and
/// quoted scalars, `>-` folded scalars. No anchors, tags, comments or multiple documents: the
/// document uses none, and a construct outside the subset is an error rather than a guess.
struct MiniYAML {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Line {
        var indent: Int
        var text: Substring
        let number: Int
    }

    private var lines: [Line]
    private var index = 0

    static func parse(_ text: String) throws -> JSONValue {
        var parser = MiniYAML(text)
        guard !parser.lines.isEmpty else { return .null }
        let value = try parser.block(indent: parser.lines[0].indent)
        guard parser.index == parser.lines.count else {
            throw ParseError(description: "line \(parser.lines[parser.index].number): unexpected indentation")
        }
        return value
    }

    private init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, raw in
            let text = raw.drop { $0 == " " }
            guard !text.allSatisfy(\.isWhitespace) else { return nil }
            return Line(indent: raw.count - text.count, text: text, number: number + 1)
        }
    }

    private static func isSequenceItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

    private mutating func block(indent: Int) throws -> JSONValue {
        Self.isSequenceItem(lines[index].text) ? try sequence(indent: indent) : try mapping(indent: indent)
    }

    private mutating func mapping(indent: Int) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        while index < lines.count, lines[index].indent == indent, !Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            guard let (key, rest) = Self.splitKey(line.text) else {
                throw ParseError(description: "line \(line.number): expected `key: value`, found \(line.text)")
            }
            guard members[key] == nil else { throw ParseError(description: "line \(line.number): duplicate key \(key)") }
            index += 1
            members[key] = try value(rest, parentIndent: indent, line: line.number)
        }
        return .object(members)
    }

    private mutating func sequence(indent: Int) throws -> JSONValue {
        var items: [JSONValue] = []
        while index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            let rest = line.text.dropFirst(1).drop { $0 == " " }
            if rest.isEmpty {
                index += 1
                items.append(try value("", parentIndent: indent, line: line.number))
            } else if let first = rest.first, !"{[\"'".contains(first), Self.splitKey(rest) != nil {
                // `- key: value` opens a mapping whose keys line up with `key`.
                lines[index] = Line(indent: line.indent + (line.text.count - rest.count), text: rest, number: line.number)
                items.append(try mapping(indent: lines[index].indent))
            } else {
                index += 1
                items.append(try Self.inline(rest, line: line.number))
            }
        }
        return .array(items)
    }

    private mutating func value(_ rest: Substring, parentIndent: Int, line: Int) throws -> JSONValue {
        if rest.isEmpty {
            guard index < lines.count else { return .null }
            if lines[index].indent > parentIndent { return try block(indent: lines[index].indent) }
            if lines[index].indent == parentIndent, Self.isSequenceItem(lines[index].text) {
                return try sequence(indent: parentIndent)
            }
            return .null
        }
        if rest == ">-" || rest == ">" || rest == "|" || rest == "|-" {
            var parts: [Substring] = []
            while index < lines.count, lines[index].indent > parentIndent {
                parts.append(lines[index].text)
                index += 1
            }
            return .string(parts.joined(separator: rest.hasPrefix(">") ? " " : "\n"))
        }
        return try Self.inline(rest, line: line)
    }

    /// `key: rest` (or `key:`), the key plain or double-quoted.
    private static func splitKey(_ text: Substring) -> (String, Substring)? {
        if text.first == "\"" {
            guard let close = text.dropFirst().firstIndex(of: "\"") else { return nil }
            let after = text[text.index(after: close)...]
            guard after.first == ":" else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), after.dropFirst().drop { $0 == " " })
        }
        if let range = text.range(of: ": ") {
            return (String(text[..<range.lowerBound]), text[range.upperBound...].drop { $0 == " " })
        }
        if text.hasSuffix(":") { return (String(text.dropLast()), "") }
        return nil
    }

    private static func inline(_ text: Substring, line: Int) throws -> JSONValue {
        var flow = Flow(Array(text), line: line)
        let value = try flow.value(inFlow: false)
        flow.skipSpaces()
        guard flow.atEnd else { throw ParseError(description: "line \(line): trailing text after a value: \(text)") }
        return value
    }

    /// Plain scalars resolve like YAML's core schema: null, booleans, integers, floats, else text.
    static func resolve(_ plain: String) -> JSONValue {
        switch plain {
        case "null", "~": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if let integer = Int64(plain) { return .integer(integer) }
        if plain.contains("."), let number = Double(plain) { return .number(number) }
        return .string(plain)
    }

    private struct Flow {
        let chars: [Character]
        let line: Int
        var position = 0

        init(_ chars: [Character], line: Int) {
            self.chars = chars
            self.line = line
        }

        var atEnd: Bool { position >= chars.count }
        var current: Character? { atEnd ? nil : chars[position] }

        mutating func skipSpaces() {
            while let c = current, c == " " { position += 1 }
        }

        func error(_ message: String) -> ParseError { ParseError(description: "line \(line): \(message) in \(String(chars))") }

        mutating func value(inFlow: Bool) throws -> JSONValue {
            skipSpaces()
            switch current {
            case "{": return try mapping()
            case "[": return try sequence()
            case "\"": return .string(try doubleQuoted())
            case "'": return .string(try singleQuoted())
            case nil: return .null
            default: return MiniYAML.resolve(plain(stopAt: inFlow ? ",]}" : ""))
            }
        }

        mutating func plain(stopAt terminators: String) -> String {
            let start = position
            while let c = current, !terminators.contains(c) { position += 1 }
            return String(chars[start..<position]).trimmingCharacters(in: .whitespaces)
        }

        mutating func mapping() throws -> JSONValue {
            position += 1
            var members: [String: JSONValue] = [:]
            while true {
                skipSpaces()
                if current == "}" { position += 1; return .object(members) }
                let key = current == "\"" ? try doubleQuoted() : plain(stopAt: ":,}")
                skipSpaces()
                guard current == ":" else { throw error("expected : after \(key)") }
                position += 1
                skipSpaces()
                let value: JSONValue = (current == "," || current == "}") ? .null : try self.value(inFlow: true)
                guard members[key] == nil else { throw error("duplicate key \(key)") }
                members[key] = value
                skipSpaces()
                if current == "," { position += 1; continue }
                guard current == "}" else { throw error("expected , or }") }
            }
        }

        mutating func sequence() throws -> JSONValue {
            position += 1
            var items: [JSONValue] = []
            while true {
                skipSpaces()
                if current == "]" { position += 1; return .array(items) }
                items.append(try value(inFlow: true))
                skipSpaces()
                if current == "," { position += 1; continue }
                guard current == "]" else { throw error("expected , or ]") }
            }
        }

        mutating func doubleQuoted() throws -> String {
            position += 1
            var result = ""
            while let c = current, c != "\"" {
                if c == "\\" {
                    position += 1
                    switch current {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case let escaped?: result.append(escaped)
                    case nil: throw error("unfinished escape")
                    }
                } else {
                    result.append(c)
                }
                position += 1
            }
            guard current == "\"" else { throw error("unterminated string") }
            position += 1
            return result
        }

        mutating func singleQuoted() throws -> String {
            position += 1
            var result = ""
            while let c = current {
                if c == "'" {
                    if position + 1 < chars.count, chars[position + 1] == "'" {
                        result.append("'")
                        position += 2
                        continue
                    }
                    position += 1
                    return result
                }
                result.append(c)
                position += 1
            }
            throw error("unterminated string")
        }
    }
}
