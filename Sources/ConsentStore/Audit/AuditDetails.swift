import Foundation

/// The `details` of an audit event: string fields as a JSON object. The writer canonicalises it
/// before chaining (`CanonicalJSON`), so this only has to be valid JSON.
public enum AuditDetails {
    public static func json(_ fields: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
