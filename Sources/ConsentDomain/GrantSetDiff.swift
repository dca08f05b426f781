/// What changes between two grant sets, for the console's preview before staff save a new version.
/// Scopes compare exactly as written; resources keep the order of the grant set they come from.
public struct GrantSetDiff: Sendable, Equatable {
    /// One resource present in both sets whose scopes differ.
    public struct ScopeChange: Sendable, Equatable {
        public let enterpriseApplicationID: ApplicationID
        public let addedScopes: [String]
        public let removedScopes: [String]

        public init(enterpriseApplicationID: ApplicationID, addedScopes: [String], removedScopes: [String]) {
            self.enterpriseApplicationID = enterpriseApplicationID
            self.addedScopes = addedScopes
            self.removedScopes = removedScopes
        }
    }

    public let addedResources: [ApplicationGrant]
    public let removedResources: [ApplicationGrant]
    public let changedResources: [ScopeChange]

    /// The diff from `old` (nil: nothing granted yet) to `new`.
    public init(from old: [ApplicationGrant]?, to new: [ApplicationGrant]) {
        let old = old ?? []
        let oldByID = Dictionary(old.map { ($0.enterpriseApplicationID, $0) }, uniquingKeysWith: { first, _ in first })
        let newIDs = Set(new.map(\.enterpriseApplicationID))
        addedResources = new.filter { oldByID[$0.enterpriseApplicationID] == nil }
        removedResources = old.filter { !newIDs.contains($0.enterpriseApplicationID) }
        changedResources = new.compactMap { grant in
            guard let before = oldByID[grant.enterpriseApplicationID] else { return nil }
            let added = grant.scopes.filter { !before.scopes.contains($0) }
            let removed = before.scopes.filter { !grant.scopes.contains($0) }
            guard !added.isEmpty || !removed.isEmpty else { return nil }
            return ScopeChange(enterpriseApplicationID: grant.enterpriseApplicationID, addedScopes: added, removedScopes: removed)
        }
    }

    /// The diff between two saved versions.
    public init(from old: GrantSet?, to new: GrantSet) {
        self.init(from: old?.grants, to: new.grants)
    }

    /// True when applying `new` would grant exactly what `old` grants.
    public var isEmpty: Bool { addedResources.isEmpty && removedResources.isEmpty && changedResources.isEmpty }
}
