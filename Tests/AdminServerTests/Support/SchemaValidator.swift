import Foundation

/// Checks a value against a JSON Schema (2020-12, as OpenAPI 3.1 uses it), for the keywords our
/// document uses. A keyword it does not know is reported as an error, so the document cannot grow
/// a constraint that the tests silently skip.
struct SchemaValidator {
    /// The whole OpenAPI document, for `$ref: "#/components/schemas/X"`.
    let document: JSONValue

    static let annotations: Set<String> = ["description", "example", "examples", "default", "title", "deprecated"]
    static let assertions: Set<String> = [
        "$ref", "type", "enum", "const", "required", "properties", "additionalProperties", "items", "minItems",
        "maxItems", "oneOf", "anyOf", "minimum", "maximum", "minLength", "maxLength", "pattern", "format",
    ]

    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        if case .bool(let allowed) = schema { return allowed ? [] : ["\(path): no value is allowed here"] }
        guard let keywords = schema.objectValue else { return ["\(path): the schema is not an object: \(schema)"] }
        var found: [String] = []
        for keyword in keywords.keys.sorted() where !Self.annotations.contains(keyword) && !Self.assertions.contains(keyword) {
            found.append("\(path): unsupported schema keyword \(keyword)")
        }
        if let ref = keywords["$ref"]?.stringValue {
            guard let target = resolve(ref) else { return found + ["\(path): unresolvable $ref \(ref)"] }
            found += errors(value, target, at: path)
        }
        if let type = keywords["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !names.contains(where: { Self.has(value, type: $0) }) {
                found.append("\(path): \(value) is not of type \(names.joined(separator: " or "))")
                return found
            }
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(value) {
            found.append("\(path): \(value) is not one of \(options)")
        }
        if let constant = keywords["const"], constant != value {
            found.append("\(path): \(value) is not \(constant)")
        }
        if let alternatives = keywords["oneOf"]?.arrayValue {
            let matching = alternatives.filter { errors(value, $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): \(value) matches \(matching) of oneOf's \(alternatives.count) schemas, not 1") }
        }
        if let alternatives = keywords["anyOf"]?.arrayValue, !alternatives.contains(where: { errors(value, $0, at: path).isEmpty }) {
            found.append("\(path): \(value) matches none of anyOf")
        }
        switch value {
        case .object(let members):
            for key in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                found.append("\(path): required \(key) is missing")
            }
            let properties = keywords["properties"]?.objectValue ?? [:]
            for key in members.keys.sorted() {
                if let property = properties[key] {
                    found += errors(members[key]!, property, at: "\(path).\(key)")
                } else if let additional = keywords["additionalProperties"] {
                    found += errors(members[key]!, additional, at: "\(path).\(key)")
                }
            }
        case .array(let items):
            if let minimum = keywords["minItems"].flatMap(Self.number), Double(items.count) < minimum {
                found.append("\(path): fewer than \(minimum) items")
            }
            if let maximum = keywords["maxItems"].flatMap(Self.number), Double(items.count) > maximum {
                found.append("\(path): more than \(maximum) items")
            }
            if let itemSchema = keywords["items"] {
                for (offset, item) in items.enumerated() { found += errors(item, itemSchema, at: "\(path)[\(offset)]") }
            }
        case .string(let text):
            if let minimum = keywords["minLength"].flatMap(Self.number), Double(text.count) < minimum {
                found.append("\(path): shorter than \(minimum)")
            }
            if let maximum = keywords["maxLength"].flatMap(Self.number), Double(text.count) > maximum {
                found.append("\(path): longer than \(maximum)")
            }
            if let pattern = keywords["pattern"]?.stringValue, text.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): \"\(text)\" does not match \(pattern)")
            }
            if let format = keywords["format"]?.stringValue, !Self.holds(text, format: format) {
                found.append("\(path): \"\(text)\" is not a \(format)")
            }
        case .integer, .number:
            let number = Self.number(value) ?? 0
            if let minimum = keywords["minimum"].flatMap(Self.number), number < minimum { found.append("\(path): below \(minimum)") }
            if let maximum = keywords["maximum"].flatMap(Self.number), number > maximum { found.append("\(path): above \(maximum)") }
        case .null, .bool:
            break
        }
        return found
    }

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object):
            true
        default: false
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let integer): Double(integer)
        case .number(let number): number
        default: nil
        }
    }

    /// The formats the document uses; others are annotations (as JSON Schema allows).
    static func holds(_ text: String, format: String) -> Bool {
        switch format {
        case "uuid": UUID(uuidString: text) != nil
        case "date-time": (try? Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")).parse(text)) != nil
        default: true
        }
    }
}
