import Foundation

/// The most any grant set may ask for (`CPV_GRANT_CEILING`): for each resource application, the
/// delegated scopes the CPV is allowed to hold in customer tenants. A grant set that asks for a
/// resource or a scope outside it is refused however many admins approve it, so a compromised or
/// careless admin pair cannot widen the CPV's access beyond what the organisation signed off.
public struct GrantCeiling: Sendable, Equatable {
    /// Resource application → allowed scope names, compared case-insensitively (Entra does).
    public let allowed: [ApplicationID: Set<String>]

    public init(allowed: [ApplicationID: [String]]) {
        self.allowed = allowed.mapValues { Set($0.map { $0.lowercased() }) }
    }

    /// Exactly what `grants` hold: the default ceiling is the seeded first grant set.
    public init(grants: [ApplicationGrant]) {
        var allowed: [ApplicationID: [String]] = [:]
        for grant in grants { allowed[grant.enterpriseApplicationID, default: []].append(contentsOf: grant.scopes) }
        self.init(allowed: allowed)
    }

    /// `resource-app-id=Scope.One,Scope.Two;resource-app-id=scope`; nil when malformed.
    public init?(parsing text: String) {
        var allowed: [ApplicationID: [String]] = [:]
        for entry in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let resource = ApplicationID(parts[0]) else { return nil }
            let scopes = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !scopes.isEmpty, scopes.allSatisfy({ $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) } })
            else { return nil }
            allowed[resource, default: []].append(contentsOf: scopes)
        }
        guard !allowed.isEmpty else { return nil }
        self.init(allowed: allowed)
    }

    /// One scope (or a whole resource, `scope == nil`) above the ceiling.
    public struct Excess: Sendable, Equatable, CustomStringConvertible {
        public let resource: ApplicationID
        public let scope: String?

        public var description: String {
            scope.map { "\(resource): \($0)" } ?? "\(resource) (no scope of it is allowed)"
        }
    }

    /// What `grants` ask for beyond the ceiling, in their order; empty when within it.
    public func excess(of grants: [ApplicationGrant]) -> [Excess] {
        grants.flatMap { grant -> [Excess] in
            guard let scopes = allowed[grant.enterpriseApplicationID] else { return [Excess(resource: grant.enterpriseApplicationID, scope: nil)] }
            return grant.scopes.filter { !scopes.contains($0.lowercased()) }.map { Excess(resource: grant.enterpriseApplicationID, scope: $0) }
        }
    }
}
