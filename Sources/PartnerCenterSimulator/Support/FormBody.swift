import Foundation

/// `application/x-www-form-urlencoded` fields, the shape of every Entra token request.
struct FormBody: Sendable {
    private(set) var fields: [String: String] = [:]

    init(fields: [String: String]) { self.fields = fields }

    init(encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decodeComponent(parts[0])
            let value = parts.count > 1 ? Self.decodeComponent(parts[1]) : ""
            fields[key] = value
        }
    }

    subscript(_ key: String) -> String? {
        guard let v = fields[key], !v.isEmpty else { return nil }
        return v
    }

    static func decodeComponent(_ s: some StringProtocol) -> String {
        let spaced = String(s).replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func encodeComponent(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encodeComponent($0.0))=\(encodeComponent($0.1))" }.joined(separator: "&")
    }
}
