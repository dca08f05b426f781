/// What a token request asks for: one resource (with delegated scope names) plus OIDC extras.
struct RequestedScope: Sendable, Equatable {
    var resource: WellKnownResource
    /// Scope names without the resource prefix, e.g. `user_impersonation` or `.default`.
    var names: [String]
    var openid: Bool
    var offlineAccess: Bool

    static let oidcScopes: Set<String> = ["openid", "profile", "email", "offline_access"]

    /// Parses a v2 `scope` parameter. Several resources are allowed only when `firstOfMany` is true,
    /// in which case the first resource wins (reference §1.2); otherwise AADSTS700022.
    static func parseV2(_ scope: String?, firstOfMany: Bool) throws(AADSTSError) -> RequestedScope? {
        let items = (scope ?? "").split(separator: " ").map(String.init).filter { !$0.isEmpty }
        var resources: [WellKnownResource] = []
        var names: [WellKnownResource: [String]] = [:]
        var openid = false, offline = false
        for item in items {
            let lower = item.lowercased()
            if oidcScopes.contains(lower) {
                if lower == "openid" { openid = true }
                if lower == "offline_access" { offline = true }
                continue
            }
            let (resourcePart, name): (String, String)
            if let slash = item.lastIndex(of: "/"), item.contains("://") || item.contains("-") {
                resourcePart = String(item[..<slash])
                name = String(item[item.index(after: slash)...])
            } else {
                // A bare permission name such as `User.Read` belongs to Microsoft Graph.
                resourcePart = WellKnownResource.graph.rawValue
                name = item
            }
            guard let resource = WellKnownResource.match(resourcePart) else { throw AADSTSError.unknownResource(resourcePart) }
            guard !name.isEmpty else { throw AADSTSError.invalidScope(item) }
            if !resources.contains(resource) { resources.append(resource) }
            names[resource, default: []].append(name)
        }
        guard let first = resources.first else { return nil }
        if resources.count > 1 && !firstOfMany { throw AADSTSError.multiResourceScope(scope ?? "") }
        let firstNames = names[first] ?? []
        if firstNames.contains(".default") && firstNames.count > 1 { throw AADSTSError.invalidScope(scope ?? "") }
        return RequestedScope(resource: first, names: firstNames, openid: openid, offlineAccess: offline)
    }

    /// Parses a v1 `resource` parameter (plus the v1 habit of `scope=openid`).
    static func parseV1(resource: String, scope: String?) throws(AADSTSError) -> RequestedScope {
        guard let r = WellKnownResource.match(resource) else { throw AADSTSError.unknownResource(resource) }
        let extras = Set((scope ?? "").lowercased().split(separator: " ").map(String.init))
        return RequestedScope(resource: r, names: [".default"], openid: extras.contains("openid"), offlineAccess: true)
    }

    var isDefault: Bool { names.isEmpty || names == [".default"] }
}
