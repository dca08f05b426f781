import Foundation

/// Why an input from staff (a partner registration, a grant set) was refused: which field, a stable
/// machine code, and a message fit to show to the person who typed it.
public struct DomainValidationError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Stable, snake_case reasons; the admin API puts them in `error.details`.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case empty
        case tooLong = "too_long"
        case notAGUID = "not_a_guid"
        case unknownValue = "unknown_value"
        case invalidCharacters = "invalid_characters"
        case duplicate
        case deprecatedResource = "deprecated_resource"
    }

    /// The input's field path as the API names it, e.g. `displayName` or `grants[1].scope`.
    public let field: String
    public let code: Code
    public let message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Display names shared by partners and grant sets: trimmed, then 1 to 256 characters.
enum DisplayName {
    static let maximumLength = 256

    /// Counts Unicode scalars, because that is what PostgreSQL's `length()` in the CHECK counts.
    static func validated(_ raw: String, field: String) throws(DomainValidationError) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DomainValidationError(field: field, code: .empty, message: "must not be empty")
        }
        guard trimmed.unicodeScalars.count <= maximumLength else {
            throw DomainValidationError(
                field: field, code: .tooLong, message: "must be at most \(maximumLength) characters")
        }
        return trimmed
    }
}
