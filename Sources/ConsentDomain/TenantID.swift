import Foundation

/// An Entra ID tenant identifier: always a GUID, stored and compared in lower case.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }

    /// Parses a GUID in its canonical 8-4-4-4-12 form (either case). Returns nil for anything else,
    /// including a verified domain name: server-to-server calls always use the GUID.
    public init?(_ string: String) {
        guard string.count == 36, let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: TenantID, rhs: TenantID) -> Bool {
        lhs.description < rhs.description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let parsed = TenantID(string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a tenant id (GUID): \(string.prefix(64))")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
