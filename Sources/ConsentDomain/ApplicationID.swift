import Foundation

/// An Entra ID application (client) id: the CPV app's own id, or a resource app such as Microsoft
/// Graph. Always a GUID, stored and compared in lower case, like `TenantID`.
public struct ApplicationID: GUIDIdentifier {
    public static let kind = "application id"
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
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
