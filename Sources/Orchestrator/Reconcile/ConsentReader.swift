import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud

/// Reads what a customer tenant really holds of our consent, through Microsoft Graph with a token
/// redeemed in that tenant (partner-center-api.md §12.4), and compares it with the grant set.
///
/// Two reads in the usual case: our service principal and the grant set's resources in one
/// (`appId in (...)`), then our delegated grants. A grant on a resource the set does not name costs
/// one more read to learn that resource's application id. The outcome is never "fine" by default:
/// a read that fails is `unknown`, with the cause.
public struct ConsentReader: Sendable {
    let tokens: PartnerTokenProvider
    let graph: GraphClient
    /// Graph reads and token redemptions, each within its own budget (nil: unpaced, as in tests
    /// that count calls instead).
    let budgets: Budgets?

    public struct Budgets: Sendable {
        public let graph: RequestBudget
        public let tokens: RequestBudget

        public init(graph: RequestBudget, tokens: RequestBudget) {
            self.graph = graph
            self.tokens = tokens
        }
    }

    /// One reading and what it cost.
    public struct Reading: Sendable, Equatable {
        public var verification: ConsentVerification
        /// Set for `unknown` after a 429: wait at least this long before reading the tenant again.
        public var retryAfter: TimeInterval?
        /// The token could not be had for a reason that is the partner's (dead refresh token, MFA,
        /// Conditional Access): nothing else of this partner can be read either.
        public var partnerFailure: PartnerTokenError?
        public var graphReads: Int
    }

    public init(tokens: PartnerTokenProvider, graph: GraphClient, budgets: Budgets? = nil) {
        self.tokens = tokens
        self.graph = graph
        self.budgets = budgets
    }

    /// - Parameter fresh: redeem a new token instead of a cached one. After a consent call it must
    ///   be fresh: a token minted before the consent does not carry it (§7.4).
    public func read(partner: Partner, customerTenant: TenantID, grantSet: GrantSet, fresh: Bool, logger: Logger) async -> Reading {
        let profile = tokens.profile(for: partner)
        let tenant = customerTenant.description
        var reads = 0
        let token: Secret<String>
        do {
            if let budgets { try await budgets.tokens.admit(logger: logger) }
            // Not kept in the cache: each tenant is read once per reconcile (again only after a
            // repair, when the token must be fresh anyway).
            token = try await tokens.accessToken(
                for: partner, tenant: tenant, scope: profile.graphScope, forceRedeem: fresh, keep: false, logger: logger)
        } catch let error as PartnerTokenError {
            return Self.tokenFailure(error, at: Date(), reads: reads)
        } catch {
            return Self.interrupted(error, reads: reads)
        }
        do {
            let wanted = [grantSet.applicationID] + grantSet.grants.map(\.enterpriseApplicationID)
            try await admitRead(logger: logger)
            reads += 1
            let principals = try await graph.servicePrincipals(profile: profile, accessToken: token, appIDs: wanted, logger: logger)
            var appIDs: [String: ApplicationID] = [:]
            for principal in principals {
                if let appID = ApplicationID(principal.appId) { appIDs[principal.id] = appID }
            }
            guard let ours = principals.first(where: { appIDs[$0.id] == grantSet.applicationID }) else {
                return Reading(verification: ConsentVerification.compare(expected: grantSet, observed: nil, at: Date()), graphReads: reads)
            }
            try await admitRead(logger: logger)
            reads += 1
            let grants = try await graph.permissionGrants(profile: profile, accessToken: token, servicePrincipalID: ours.id, logger: logger)
            var scopes: [ApplicationID: [String]] = [:]
            for grant in grants where grant.consentType == "AllPrincipals" && grant.clientId.lowercased() == ours.id.lowercased() {
                if appIDs[grant.resourceId] == nil {
                    try await admitRead(logger: logger)
                    reads += 1
                    let resource = try await graph.servicePrincipal(profile: profile, accessToken: token, id: grant.resourceId, logger: logger)
                    appIDs[grant.resourceId] = ApplicationID(resource.appId)
                }
                guard let resource = appIDs[grant.resourceId] else { continue }
                scopes[resource, default: []] += grant.scopes
            }
            let observed = ObservedConsent(servicePrincipalID: ours.id, scopes: scopes)
            return Reading(verification: ConsentVerification.compare(expected: grantSet, observed: observed, at: Date()), graphReads: reads)
        } catch let error as GraphCallError {
            if case .throttled(let retryAfter) = error, let budgets {
                await budgets.graph.throttled(tenant: tenant, retryAfter: retryAfter, logger: logger)
            }
            return Self.graphFailure(error, at: Date(), reads: reads)
        } catch {
            return Self.interrupted(error, reads: reads)
        }
    }

    /// The budget's database or a cancellation stopped the reading: unknown, never a finding.
    static func interrupted(_ error: any Error, reads: Int) -> Reading {
        let verification: ConsentVerification = error is CancellationError
            ? .unknown(code: "cancelled", reason: "the reading was cancelled", at: Date())
            : .unknown(code: "internal", reason: "the reading could not wait for its budget: \(type(of: error))", at: Date())
        return Reading(verification: verification, graphReads: reads)
    }

    private func admitRead(logger: Logger) async throws {
        if let budgets { try await budgets.graph.admit(logger: logger) }
    }

    /// The token endpoint's answer in the customer tenant, as a finding where it is one: AADSTS65001
    /// (and 90099, 700016 for an app-only redemption) mean our app is not consented there.
    static func tokenFailure(_ error: PartnerTokenError, at now: Date, reads: Int) -> Reading {
        if error.reason == .consentMissing || error.code == "AADSTS700016" {
            return Reading(
                verification: ConsentVerification(
                    state: .missing, checkedAt: now, reason: "Entra says our application is not consented in the tenant (\(error.code))",
                    code: error.code),
                graphReads: reads)
        }
        let verification = ConsentVerification.unknown(code: error.code, reason: "no Graph token for the customer: \(error.message)", at: now)
        return Reading(verification: verification, partnerFailure: error.reason.requiresPartnerReconsent ? error : nil, graphReads: reads)
    }

    /// A Graph read that failed: always `unknown` (throttled, server error, forbidden, unreachable),
    /// except a 404 for our grants, which says the service principal went away while we read.
    static func graphFailure(_ error: GraphCallError, at now: Date, reads: Int) -> Reading {
        if case .failed(404, _) = error {
            return Reading(
                verification: ConsentVerification(
                    state: .missing, checkedAt: now, reason: "our service principal disappeared while it was read", code: "no_service_principal"),
                graphReads: reads)
        }
        var retryAfter: TimeInterval?
        if case .throttled(let seconds) = error { retryAfter = seconds ?? 1 }
        return Reading(verification: .unknown(code: error.code, reason: error.description, at: now), retryAfter: retryAfter, graphReads: reads)
    }
}
