import ConsentDomain
import ConsentStore
import Foundation

/// Grant sets: the current version, the history, and the form to publish the next version with a
/// preview of what changes.
struct GrantSetsPage: Sendable {
    struct Grant: Sendable {
        let resource: String
        let resourceID: String
        let scopes: [String]
    }
    struct Version: Sendable {
        let version: String
        let displayName: String
        let createdBy: String
        let created: String
        let grants: [Grant]
        let isCurrent: Bool
    }
    struct Change: Sendable {
        let kind: String
        let tone: String
        let resource: String
        let scopes: String
    }
    struct Preview: Sendable {
        let changes: [Change]
        let isEmpty: Bool
    }
    /// The proposal waiting for a second admin, with what it changes from the current version.
    struct Pending: Sendable {
        let id: Int64
        let displayName: String
        let proposedBy: String
        let proposed: String
        let changes: Preview
        let canApprove: Bool
        let canReject: Bool
    }

    let chrome: ConsoleChrome
    let current: Version?
    let history: [Version]
    let applicationID: String
    let displayName: String
    let grantsText: String
    let preview: Preview?
    let pending: Pending?
    let error: String?

    /// - Parameters:
    ///   - draft: what the form holds (display name and grants text), after a preview or a refused publish.
    ///   - preview: the diff from the current version to the draft, when staff asked for one.
    init(
        chrome: ConsoleChrome, sets: [GrantSet], pending: GrantSetProposal? = nil, staff: StaffMember? = nil, draftName: String? = nil,
        draftGrants: String? = nil, preview: GrantSetDiff? = nil, error: String? = nil
    ) {
        self.chrome = chrome
        let newest = sets.max { $0.version < $1.version }
        current = newest.map { Self.version($0, isCurrent: true) }
        history = sets.sorted { $0.version > $1.version }.map { Self.version($0, isCurrent: $0.version == newest?.version) }
        applicationID = newest?.applicationID.description ?? ""
        displayName = draftName ?? newest?.displayName ?? ""
        grantsText = draftGrants ?? newest.map { Self.text($0.grants) } ?? ""
        self.preview = preview.map(Self.changes)
        self.pending = pending.map { proposal in
            let own = staff.map { $0.tokenID == proposal.proposedByTokenID || $0.name.lowercased() == proposal.proposedByName.lowercased() } ?? true
            return Pending(
                id: proposal.id, displayName: proposal.displayName, proposedBy: proposal.proposedBy,
                proposed: ConsoleFormat.time(proposal.proposedAt), changes: Self.changes(GrantSetDiff(from: newest?.grants, to: proposal.grants)),
                canApprove: chrome.canAdmin && !own, canReject: chrome.canAdmin)
        }
        self.error = error
    }

    static func changes(_ diff: GrantSetDiff) -> Preview {
            let changes =
                diff.addedResources.map { Change(kind: "added resource", tone: "tone-good", resource: Self.name($0.enterpriseApplicationID), scopes: $0.scopes.joined(separator: ", ")) }
                + diff.removedResources.map { Change(kind: "removed resource", tone: "tone-bad", resource: Self.name($0.enterpriseApplicationID), scopes: $0.scopes.joined(separator: ", ")) }
                + diff.changedResources.flatMap { change -> [Change] in
                    var rows: [Change] = []
                    if !change.addedScopes.isEmpty {
                        rows.append(Change(kind: "added scopes", tone: "tone-good", resource: Self.name(change.enterpriseApplicationID), scopes: change.addedScopes.joined(separator: ", ")))
                    }
                    if !change.removedScopes.isEmpty {
                        rows.append(Change(kind: "removed scopes", tone: "tone-bad", resource: Self.name(change.enterpriseApplicationID), scopes: change.removedScopes.joined(separator: ", ")))
                    }
                    return rows
                }
            return Preview(changes: changes, isEmpty: changes.isEmpty)
    }

    static func version(_ set: GrantSet, isCurrent: Bool) -> Version {
        Version(
            version: "v\(set.version)", displayName: set.displayName, createdBy: set.createdBy, created: ConsoleFormat.time(set.createdAt),
            grants: set.grants.map { Grant(resource: name($0.enterpriseApplicationID), resourceID: $0.enterpriseApplicationID.description, scopes: $0.scopes) },
            isCurrent: isCurrent)
    }

    static func name(_ resource: ApplicationID) -> String {
        switch resource {
        case .microsoftGraph: "Microsoft Graph"
        case .azureResourceManager: "Azure Resource Manager"
        default: resource.description
        }
    }

    /// The form's text: one line per resource, `resource-app-id: scope, scope`.
    static func text(_ grants: [ApplicationGrant]) -> String {
        grants.map { "\($0.enterpriseApplicationID): \($0.scopes.joined(separator: ","))" }.joined(separator: "\n")
    }

    /// Parses the form's text back into grants; a line without a colon is refused by name.
    static func parse(_ text: String) throws(GrantTextError) -> [GrantSetDraft.Grant] {
        var grants: [GrantSetDraft.Grant] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else { throw GrantTextError(line: line) }
            let resource = line[..<colon].trimmingCharacters(in: .whitespaces)
            let scopes = line[line.index(after: colon)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            grants.append(GrantSetDraft.Grant(enterpriseApplicationID: resource, scope: scopes.joined(separator: ",")))
        }
        return grants
    }

    struct GrantTextError: Error {
        let line: String
    }
}
