import Foundation
import Yams

/// `Public/openapi.yaml`, the checked-in document the server serves as is, read from the checkout
/// and parsed by Yams (a real YAML parser) into the tests' `JSONValue`.
enum OpenAPIFile {
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Public/openapi.yaml")

    static func text() throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func parse(_ text: String) throws -> JSONValue {
        guard let root = try Yams.compose(yaml: text) else { throw OpenAPIFileError("the document is empty") }
        return try value(root)
    }

    /// YAML 1.2's JSON-compatible core schema: plain `null`, `~` and nothing are null, `true` and
    /// `false` booleans, digits numbers; quoted and every other scalar a string (no YAML 1.1
    /// timestamps or `yes`/`no`, which would change what an example says).
    static func value(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if text.range(of: #"^[-+]?[0-9]+$"#, options: .regularExpression) != nil, let integer = Int64(text) { return .integer(integer) }
            if text.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
                let number = Double(text)
            {
                return .number(number)
            }
            return .string(text)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw OpenAPIFileError("a mapping key is not a scalar") }
                guard members[name] == nil else { throw OpenAPIFileError("duplicate key \(name)") }
                members[name] = try self.value(value)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.map { try value($0) })
        case .alias:
            throw OpenAPIFileError("aliases are not used in the document")
        }
    }
}

struct OpenAPIFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
