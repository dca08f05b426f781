/// The Microsoft resources the simulator serves, matched by their canonical URIs whatever URL it runs at.
public enum WellKnownResource: String, Sendable, CaseIterable, Codable {
    case partnerCenter = "https://api.partnercenter.microsoft.com"
    case graph = "https://graph.microsoft.com"
    case arm = "https://management.azure.com"
    case keyVault = "https://vault.azure.net"
    case aadGraph = "https://graph.windows.net"

    /// The resource's application id (the `enterpriseApplicationId` used in consents), per reference §2.
    public var applicationId: String {
        switch self {
        case .partnerCenter: "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
        case .graph: "00000003-0000-0000-c000-000000000000"
        case .arm: "797f4846-ba00-4fd7-ba43-dac1f8f63013"
        case .keyVault: "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
        case .aadGraph: "00000002-0000-0000-c000-000000000000"
        }
    }

    public var audience: String { rawValue }

    /// Resources that have a service principal in every customer tenant unless the world says otherwise.
    static let defaultServicePrincipals: [String] = [
        WellKnownResource.graph.applicationId, WellKnownResource.arm.applicationId,
        WellKnownResource.partnerCenter.applicationId, WellKnownResource.aadGraph.applicationId,
    ]

    /// Matches a resource URI or app id, tolerating a trailing slash and the legacy ARM URI.
    static func match(_ value: String) -> WellKnownResource? {
        var v = value.lowercased()
        while v.hasSuffix("/") { v.removeLast() }
        if v == "https://management.core.windows.net" { return .arm }
        return allCases.first { $0.rawValue == v || $0.applicationId == v }
    }
}
