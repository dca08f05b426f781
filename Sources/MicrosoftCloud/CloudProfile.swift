import ConsentDomain

/// The endpoints of one Microsoft cloud (partner-center-api.md §3).
///
/// Every partner records its cloud; tokens from one cloud are never valid in another. The
/// overrides (`CPV_LOGIN_URL`, ...) replace the endpoints of every cloud at once, which is how
/// the simulator and egress proxies are wired in.
public struct CloudProfile: Sendable, Equatable {
    public var cloud: Cloud
    /// Entra ID authority, e.g. `https://login.microsoftonline.com`.
    public var login: String
    /// Partner Center API base.
    public var partnerCenter: String
    public var graph: String
    public var arm: String
    /// The audience (resource) of Partner Center tokens. It stays the real one when `partnerCenter`
    /// is overridden: the audience names the API, not where it is reached.
    public var partnerCenterResource: String
    public var graphResource: String
    public var armResource: String

    public static func standard(_ cloud: Cloud) -> CloudProfile {
        switch cloud {
        case .global:
            return CloudProfile(
                cloud: .global, login: "https://login.microsoftonline.com",
                partnerCenter: "https://api.partnercenter.microsoft.com", graph: "https://graph.microsoft.com",
                arm: "https://management.azure.com", partnerCenterResource: "https://api.partnercenter.microsoft.com",
                graphResource: "https://graph.microsoft.com", armResource: "https://management.azure.com")
        case .usgov:
            // Partner Center keeps the global host for US Government (PC REST URLs doc); Graph is GCC High.
            return CloudProfile(
                cloud: .usgov, login: "https://login.microsoftonline.us",
                partnerCenter: "https://api.partnercenter.microsoft.com", graph: "https://graph.microsoft.us",
                arm: "https://management.usgovcloudapi.net", partnerCenterResource: "https://api.partnercenter.microsoft.com",
                graphResource: "https://graph.microsoft.us", armResource: "https://management.usgovcloudapi.net")
        case .china:
            return CloudProfile(
                cloud: .china, login: "https://login.chinacloudapi.cn",
                partnerCenter: "https://partner.partnercenterapi.microsoftonline.cn",
                graph: "https://microsoftgraph.chinacloudapi.cn", arm: "https://management.chinacloudapi.cn",
                partnerCenterResource: "https://partner.partnercenterapi.microsoftonline.cn",
                graphResource: "https://microsoftgraph.chinacloudapi.cn", armResource: "https://management.chinacloudapi.cn")
        }
    }

    /// The endpoint overrides from configuration, applied to any cloud.
    public struct Overrides: Sendable, Equatable {
        public var login: String?
        public var partnerCenter: String?
        public var graph: String?
        public var arm: String?

        public init(login: String? = nil, partnerCenter: String? = nil, graph: String? = nil, arm: String? = nil) {
            self.login = login
            self.partnerCenter = partnerCenter
            self.graph = graph
            self.arm = arm
        }
    }

    public static func resolve(_ cloud: Cloud, overrides: Overrides) -> CloudProfile {
        var profile = standard(cloud)
        if let login = overrides.login { profile.login = login }
        if let partnerCenter = overrides.partnerCenter { profile.partnerCenter = partnerCenter }
        if let graph = overrides.graph { profile.graph = graph }
        if let arm = overrides.arm { profile.arm = arm }
        return profile
    }

    /// The v2 scope asking for Partner Center with every permission the app was consented.
    /// The authorization server's issuer identifier for `tenant` (v2), what RFC 9207's `iss`
    /// response parameter names: the cloud's own login host even when `login` is overridden (a
    /// proxy or the simulator changes where we connect, not who answers).
    public func issuer(tenant: String) -> String {
        Self.standard(cloud).login + "/" + tenant.lowercased() + "/v2.0"
    }

    public var partnerCenterScope: String { partnerCenterResource + "/.default" }
    public var graphScope: String { graphResource + "/.default" }

    public func tokenURL(tenant: String, version: EntraEndpointVersion) -> String {
        switch version {
        case .v2: return "\(login)/\(tenant)/oauth2/v2.0/token"
        case .v1: return "\(login)/\(tenant)/oauth2/token"
        }
    }

    public func authorizeURL(tenant: String, version: EntraEndpointVersion) -> String {
        switch version {
        case .v2: return "\(login)/\(tenant)/oauth2/v2.0/authorize"
        case .v1: return "\(login)/\(tenant)/oauth2/authorize"
        }
    }
}

/// Entra ID's two token endpoint generations: v1 takes `resource=`, v2 takes `scope=`.
public enum EntraEndpointVersion: String, Sendable {
    case v1, v2
}
