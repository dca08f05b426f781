import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud

/// What the Graph check after a grant found.
public struct GrantVerification: Sendable, Equatable {
    /// The CPV app's service principal exists and holds exactly the expected scopes per resource.
    public var verified: Bool
    public var servicePrincipalID: String?
    /// Human-readable differences, e.g. `Graph: missing scopes User.Read.All`.
    public var differences: [String]
    /// Why the check itself could not run (token or Graph failure); nil when it ran.
    public var errorCode: String?
}

/// Checks through Graph in the customer tenant that the consent a grant set describes is there:
/// the CPV service principal exists and has a tenant-wide delegated grant with the expected scopes
/// on each resource (partner-center-api.md §7.2).
public struct GrantVerifier: Sendable {
    let tokens: PartnerTokenProvider
    let graph: GraphClient

    public init(tokens: PartnerTokenProvider, graph: GraphClient) {
        self.tokens = tokens
        self.graph = graph
    }

    public func verify(partner: Partner, customerTenant: TenantID, grantSet: GrantSet, logger: Logger) async -> GrantVerification {
        let profile = tokens.profile(for: partner)
        let token: Secret<String>
        do {
            // Redeemed anew: a token minted before the consent does not carry it (§7.4).
            token = try await tokens.accessToken(
                for: partner, tenant: customerTenant.description, scope: profile.graphScope, forceRedeem: true, logger: logger)
        } catch {
            return GrantVerification(verified: false, differences: ["no Graph token for the customer: \(error.reason.rawValue)"], errorCode: error.code)
        }
        do {
            guard let app = try await graph.servicePrincipals(profile: profile, accessToken: token, appID: grantSet.applicationID, logger: logger).first else {
                return GrantVerification(verified: false, differences: ["the CPV service principal does not exist"], errorCode: nil)
            }
            let grants = try await graph.permissionGrants(profile: profile, accessToken: token, servicePrincipalID: app.id, logger: logger)
            var differences: [String] = []
            for expected in grantSet.grants {
                let resource = try await graph.servicePrincipals(
                    profile: profile, accessToken: token, appID: expected.enterpriseApplicationID, logger: logger).first
                let held = Set(
                    grants.filter { $0.resourceId == resource?.id && $0.consentType == "AllPrincipals" }
                        .flatMap(\.scopes).map { $0.lowercased() })
                let wanted = Set(expected.scopes.map { $0.lowercased() })
                let missing = wanted.subtracting(held).sorted()
                let extra = held.subtracting(wanted).sorted()
                if !missing.isEmpty { differences.append("\(expected.enterpriseApplicationID): missing \(missing.joined(separator: ","))") }
                if !extra.isEmpty { differences.append("\(expected.enterpriseApplicationID): unexpected \(extra.joined(separator: ","))") }
            }
            return GrantVerification(verified: differences.isEmpty, servicePrincipalID: app.id, differences: differences, errorCode: nil)
        } catch {
            return GrantVerification(verified: false, differences: [error.description], errorCode: error.code)
        }
    }
}
