import Foundation

/// An Entra ID identifier that is always a GUID (a tenant id, an application id): parsed only
/// from the canonical 8-4-4-4-12 form, printed, compared and encoded in lower case.
///
/// The conforming types stay distinct so that a tenant id can never be passed where an
/// application id is expected; this protocol keeps their one behaviour in one place.
public protocol GUIDIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    var uuid: UUID { get }
    init(_ uuid: UUID)
    /// Named in decoding errors, e.g. "tenant id".
    static var kind: String { get }
}

extension GUIDIdentifier {
    /// Parses a GUID in its canonical form (either case); nil for anything else, including a
    /// domain name: server-to-server calls always use the GUID.
    public init?(_ string: String) {
        guard string.count == 36, let uuid = UUID(uuidString: string) else { return nil }
        self.init(uuid)
    }

    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.description < rhs.description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let parsed = Self(string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a valid \(Self.kind) (a GUID): \(string.prefix(64))")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
