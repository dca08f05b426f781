import Foundation
import Hummingbird

/// Typed, validated query parameters: a malformed value is a 400 with a stable code naming the
/// parameter, never a silently ignored filter.
struct QueryParameters {
    let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    func string(_ name: String, maxLength: Int = 256) throws -> String? {
        guard let value = parameters.get(name) else { return nil }
        guard value.count <= maxLength else {
            throw APIError(
                .badRequest, code: "invalid_\(Self.snake(name))", message: "\(name) is longer than \(maxLength) characters",
                details: ["parameter": name])
        }
        return value
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let value = parameters.get(name) else { return nil }
        guard let uuid = UUID(uuidString: value) else {
            throw APIError(.badRequest, code: "invalid_\(Self.snake(name))", message: "\(name) must be a UUID", details: ["parameter": name])
        }
        return uuid
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = parameters.get(name) else { return nil }
        guard let number = Int(value), range.contains(number) else {
            throw APIError(
                .badRequest, code: "invalid_\(Self.snake(name))",
                message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)",
                details: ["parameter": name, "min": "\(range.lowerBound)", "max": "\(range.upperBound)"])
        }
        return number
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = parameters.get(name) else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default:
            throw APIError(.badRequest, code: "invalid_\(Self.snake(name))", message: "\(name) must be true or false", details: ["parameter": name])
        }
    }

    /// An RFC 3339 timestamp, with or without fractional seconds.
    func date(_ name: String) throws -> Date? {
        guard let value = parameters.get(name) else { return nil }
        if let date = try? Date(value, strategy: Date.ISO8601FormatStyle()) { return date }
        if let date = try? Date(value, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw APIError(
            .badRequest, code: "invalid_\(Self.snake(name))", message: "\(name) must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z",
            details: ["parameter": name])
    }

    /// `limit`: 1–500, default 100.
    func limit() throws -> Int {
        try int("limit", in: 1...500) ?? 100
    }

    /// `partnerId` → `partner_id`, for error codes.
    static func snake(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// An opaque page cursor: a kind tag and a position, base64url-encoded. Clients pass back what
/// they got; the tag stops a customers cursor from being replayed against the audit search.
enum PageCursor {
    static func encode(kind: String, position: Int64) -> String {
        Data("\(kind):\(position)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String?, kind: String) throws -> Int64? {
        guard let cursor else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.count <= 64, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(kind + ":"), let position = Int64(text.dropFirst(kind.count + 1)), position >= 0
        else {
            throw APIError(.badRequest, code: "invalid_cursor", message: "cursor is not one this endpoint returned", details: ["parameter": "cursor"])
        }
        return position
    }
}
