import Foundation

/// What reading a customer tenant through Microsoft Graph says of our consent there (issue #16).
/// `unknown` is never a kind of "fine": it means the truth could not be read.
public enum VerificationState: String, Sendable, Codable, CaseIterable {
    /// The tenant holds exactly the grant set's scopes on every resource: no consent call needed.
    case verified
    /// Our service principal exists, but some resource lacks scopes or holds scopes we do not grant.
    case drifted
    /// No service principal of ours, or the token redemption said the app is not consented there.
    case missing
    /// Could not read: throttled, a server error, forbidden, unreachable. Retried and reported.
    case unknown

    /// Whether a consent call (DELETE + POST) would change anything.
    public var needsGrant: Bool { self == .drifted || self == .missing }
}

/// How one resource's delegated scopes differ from the grant set's.
public struct ResourceDifference: Sendable, Equatable, Codable, Hashable {
    public var applicationID: ApplicationID
    /// In the grant set, not held in the tenant (sorted, as the grant set spells them).
    public var missingScopes: [String]
    /// Held in the tenant, not in the grant set (sorted, as the tenant spells them).
    public var extraScopes: [String]

    public init(applicationID: ApplicationID, missingScopes: [String], extraScopes: [String]) {
        self.applicationID = applicationID
        self.missingScopes = missingScopes
        self.extraScopes = extraScopes
    }

    private enum CodingKeys: String, CodingKey {
        case applicationID = "applicationId", missingScopes, extraScopes
    }
}

/// The delegated grants our service principal holds in one tenant, per resource application id,
/// as Graph's `oauth2PermissionGrants` list them (tenant-wide `AllPrincipals` grants only: a grant
/// one user gave for themselves is not the consent a partner admin gave for the whole tenant).
public struct ObservedConsent: Sendable, Equatable {
    public var servicePrincipalID: String
    public var scopes: [ApplicationID: [String]]

    public init(servicePrincipalID: String, scopes: [ApplicationID: [String]]) {
        self.servicePrincipalID = servicePrincipalID
        self.scopes = scopes
    }
}

/// One reading of a tenant: its state, when it was read, and what differed.
public struct ConsentVerification: Sendable, Equatable, Codable {
    public var state: VerificationState
    public var checkedAt: Date
    /// Per resource that differs (empty unless `drifted`).
    public var resources: [ResourceDifference]
    /// Why the state is `missing` or `unknown`, in words an operator can act on.
    public var reason: String?
    /// A stable code for `unknown` (e.g. `graph_429`) and `missing` (e.g. `no_service_principal`).
    public var code: String?
    /// Our service principal's object id in the tenant, when it was found.
    public var servicePrincipalID: String?

    public init(
        state: VerificationState, checkedAt: Date, resources: [ResourceDifference] = [], reason: String? = nil, code: String? = nil,
        servicePrincipalID: String? = nil
    ) {
        self.state = state
        self.checkedAt = checkedAt
        self.resources = resources
        self.reason = reason
        self.code = code
        self.servicePrincipalID = servicePrincipalID
    }

    /// Compares what a tenant holds with the grant set, per resource and scope. Scopes compare
    /// without regard to case (Entra keeps them as the consent spelled them; the names are
    /// case-insensitive); a resource the grant set does not name counts as extra in full.
    public static func compare(expected grantSet: GrantSet, observed: ObservedConsent?, at checkedAt: Date) -> ConsentVerification {
        guard let observed else {
            return ConsentVerification(
                state: .missing, checkedAt: checkedAt, reason: "our application has no service principal in the tenant",
                code: "no_service_principal")
        }
        var differences: [ResourceDifference] = []
        for grant in grantSet.grants {
            let held = observed.scopes[grant.enterpriseApplicationID] ?? []
            let difference = Self.difference(resource: grant.enterpriseApplicationID, wanted: grant.scopes, held: held)
            if let difference { differences.append(difference) }
        }
        let named = Set(grantSet.grants.map(\.enterpriseApplicationID))
        for (resource, held) in observed.scopes where !named.contains(resource) && !held.isEmpty {
            differences.append(ResourceDifference(applicationID: resource, missingScopes: [], extraScopes: Self.sortedUnique(held)))
        }
        differences.sort { $0.applicationID.description < $1.applicationID.description }
        return ConsentVerification(
            state: differences.isEmpty ? .verified : .drifted, checkedAt: checkedAt, resources: differences,
            servicePrincipalID: observed.servicePrincipalID)
    }

    private static func difference(resource: ApplicationID, wanted: [String], held: [String]) -> ResourceDifference? {
        let wantedKeys = Set(wanted.map { $0.lowercased() })
        let heldKeys = Set(held.map { $0.lowercased() })
        let missing = sortedUnique(wanted.filter { !heldKeys.contains($0.lowercased()) })
        let extra = sortedUnique(held.filter { !wantedKeys.contains($0.lowercased()) })
        guard !missing.isEmpty || !extra.isEmpty else { return nil }
        return ResourceDifference(applicationID: resource, missingScopes: missing, extraScopes: extra)
    }

    private static func sortedUnique(_ scopes: [String]) -> [String] {
        var seen = Set<String>()
        return scopes.filter { seen.insert($0.lowercased()).inserted }.sorted { $0.lowercased() < $1.lowercased() }
    }

    /// A reading that could not be made; `code` names the cause (`graph_429`, `graph_503`, ...).
    public static func unknown(code: String, reason: String, at checkedAt: Date) -> ConsentVerification {
        ConsentVerification(state: .unknown, checkedAt: checkedAt, reason: reason, code: code)
    }

    /// One line per differing resource, e.g. `00000003-…: missing User.Read.All; extra Mail.Send`.
    public var summary: [String] {
        resources.map { difference in
            var parts: [String] = []
            if !difference.missingScopes.isEmpty { parts.append("missing " + difference.missingScopes.joined(separator: ",")) }
            if !difference.extraScopes.isEmpty { parts.append("extra " + difference.extraScopes.joined(separator: ",")) }
            return "\(difference.applicationID): " + parts.joined(separator: "; ")
        }
    }
}
