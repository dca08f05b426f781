import Foundation
import Hummingbird
import NIOCore

/// An `application/x-www-form-urlencoded` body, read once and kept on the request so the CSRF
/// check and the route both see it.
struct ConsoleForm: Sendable {
    let fields: [(String, String)]

    static let maximumBytes = 64 * 1024

    init(_ text: String) {
        fields = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// Reads the body of `request` (at most 64 KiB) and returns the form and the request with its
    /// body buffered for the next reader.
    static func read(_ request: Request) async throws -> (ConsoleForm, Request) {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw ConsoleError.badRequest("The form is larger than the console accepts.")
        }
        var request = request
        request.body = RequestBody(buffer: buffer)
        return (ConsoleForm(String(buffer: buffer)), request)
    }

    subscript(_ name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// Every value of a repeated field (checkboxes, multi-selects).
    func all(_ name: String) -> [String] {
        fields.filter { $0.0 == name }.map(\.1)
    }

    /// A trimmed, non-empty value.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}

/// Compares two tokens in time that does not depend on where they differ.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let left = Array(a.utf8), right = Array(b.utf8)
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
}
