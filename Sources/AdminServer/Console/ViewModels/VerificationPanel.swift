import ConsentDomain
import ConsentStore
import Foundation

/// The customer page's reading through Graph: the grant set's scopes next to what the tenant
/// holds, per resource, from the last reconcile (issue #16). A tenant never read says so; an
/// unknown reading says why, and what was known before it, and is never shown as fine.
struct VerificationPanel: Sendable {
    struct Resource: Sendable {
        let resource: String
        let expected: String
        let held: String
        let missing: String?
        let extra: String?
    }

    let state: Badge
    let checkedAt: String
    let grantSetVersion: String
    let reason: String?
    let lastKnown: String?
    let resources: [Resource]
    let hasResources: Bool

    /// - Parameter grantSet: the grant set the reading was compared with (its version), or the current one.
    init(_ stored: StoredVerification, grantSet: GrantSet?) {
        let reading = stored.verification
        state = Badge(reading.state.rawValue)
        checkedAt = ConsoleFormat.time(reading.checkedAt)
        grantSetVersion = stored.grantSetVersion.map(String.init) ?? "—"
        reason = reading.reason.map { reason in reading.code.map { "\($0): \(reason)" } ?? reason }
        lastKnown = reading.state == .unknown
            ? stored.lastKnownState.map { "\($0.rawValue) at \(ConsoleFormat.time(stored.lastKnownAt))" } ?? "never read successfully"
            : nil
        let differences = Dictionary(reading.resources.map { ($0.applicationID, $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [Resource] = []
        for grant in grantSet?.grants ?? [] {
            let difference = differences[grant.enterpriseApplicationID]
            let held: [String]
            switch reading.state {
            case .verified, .drifted:
                let missing = Set((difference?.missingScopes ?? []).map { $0.lowercased() })
                held = grant.scopes.filter { !missing.contains($0.lowercased()) } + (difference?.extraScopes ?? [])
            case .missing:
                held = []
            case .unknown:
                continue
            }
            rows.append(
                Resource(
                    resource: Self.name(grant.enterpriseApplicationID), expected: grant.scopes.joined(separator: " "),
                    held: held.isEmpty ? "—" : held.joined(separator: " "),
                    missing: difference.flatMap { $0.missingScopes.isEmpty ? nil : $0.missingScopes.joined(separator: " ") }
                        ?? (reading.state == .missing ? grant.scopes.joined(separator: " ") : nil),
                    extra: difference.flatMap { $0.extraScopes.isEmpty ? nil : $0.extraScopes.joined(separator: " ") }))
        }
        let named = Set((grantSet?.grants ?? []).map(\.enterpriseApplicationID))
        for difference in reading.resources where !named.contains(difference.applicationID) {
            rows.append(
                Resource(
                    resource: Self.name(difference.applicationID), expected: "—", held: difference.extraScopes.joined(separator: " "),
                    missing: nil, extra: difference.extraScopes.joined(separator: " ")))
        }
        resources = rows
        hasResources = !rows.isEmpty
    }

    static func name(_ id: ApplicationID) -> String {
        switch id {
        case .microsoftGraph: "Microsoft Graph"
        case .azureResourceManager: "Azure Resource Manager"
        default: id.description
        }
    }
}
