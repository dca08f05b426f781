import Foundation

/// An Entra ID application (client) id: the CPV app's own id, or a resource app such as Microsoft
/// Graph. Always a GUID, stored and compared in lower case, like `TenantID`.
public struct ApplicationID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }

    /// Parses a GUID in its canonical 8-4-4-4-12 form (either case); nil for anything else.
    public init?(_ string: String) {
        guard string.count == 36, let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: ApplicationID, rhs: ApplicationID) -> Bool {
        lhs.description < rhs.description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let parsed = ApplicationID(string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an application id (GUID): \(string.prefix(64))")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// Built from bytes rather than parsed from strings so the constants need no force unwrap.
extension ApplicationID {
    /// Microsoft Graph, `00000003-0000-0000-c000-000000000000`.
    public static let microsoftGraph = ApplicationID(
        UUID(uuid: (0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)))

    /// Windows Azure Service Management API (Azure Resource Manager),
    /// `797f4846-ba00-4fd7-ba43-dac1f8f63013`; granted with scope `user_impersonation`.
    public static let azureResourceManager = ApplicationID(
        UUID(uuid: (0x79, 0x7F, 0x48, 0x46, 0xBA, 0x00, 0x4F, 0xD7, 0xBA, 0x43, 0xDA, 0xC1, 0xF8, 0xF6, 0x30, 0x13)))

    /// Microsoft Partner Center API, `fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd`.
    public static let partnerCenter = ApplicationID(
        UUID(uuid: (0xFA, 0x3D, 0x9A, 0x0C, 0x3F, 0xB0, 0x42, 0xCC, 0x91, 0x93, 0x47, 0xC7, 0xEC, 0xD2, 0xED, 0xBD)))

    /// Legacy Azure AD Graph, `00000002-0000-0000-c000-000000000000`: deprecated since 2023-06-30
    /// and being retired, so grant sets refuse it (see `GrantSetDraft`).
    public static let legacyAzureADGraph = ApplicationID(
        UUID(uuid: (0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)))
}
