/// Whether the person who just signed in may consent for a partner: the rule of the consent
/// callback, pure so it can be tested for every kind of user without Entra or Graph.
///
/// They must belong to the partner's tenant, have passed MFA, be a member of that directory (a
/// guest from another tenant may hold roles there, but the token they leave would be theirs, not
/// the partner's), and administer it: Global Administrator (a `wids` claim, or their directory
/// roles read through Graph) or a member of the partner's `AdminAgents` security group.
public struct ConsentingUser: Sendable, Equatable {
    /// What the id token says.
    public var tenantID: String?
    public var authenticationMethods: [String]
    /// `wids` (directory role template ids), when the application registration emits it.
    public var directoryRoles: [String]?
    /// `idp`: set, and not the tenant's own issuer, for a user authenticated by another tenant.
    public var identityProvider: String?
    /// What Graph says (`/me`): `Member` or `Guest`; nil when it was not read or not returned.
    public var userType: String?
    /// The user's memberships (`/me/transitiveMemberOf`), nil when not read.
    public var memberships: [Membership]?

    /// A directory role or group the user belongs to; fields are nil when Graph withheld them.
    public struct Membership: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case directoryRole, group, other }
        public var kind: Kind
        public var displayName: String?
        public var roleTemplateID: String?
        public var securityEnabled: Bool?

        public init(kind: Kind, displayName: String? = nil, roleTemplateID: String? = nil, securityEnabled: Bool? = nil) {
            self.kind = kind
            self.displayName = displayName
            self.roleTemplateID = roleTemplateID
            self.securityEnabled = securityEnabled
        }
    }

    public init(
        tenantID: String?, authenticationMethods: [String], directoryRoles: [String]? = nil, identityProvider: String? = nil,
        userType: String? = nil, memberships: [Membership]? = nil
    ) {
        self.tenantID = tenantID
        self.authenticationMethods = authenticationMethods
        self.directoryRoles = directoryRoles
        self.identityProvider = identityProvider
        self.userType = userType
        self.memberships = memberships
    }

    public static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
    /// Partner Center's group of the partner's administrators for its customers.
    public static let adminAgentsGroup = "adminagents"

    /// Why a sign-in may not consent.
    public enum Refusal: String, Sendable, Equatable {
        case tenantMismatch = "tenant_mismatch"
        case mfaMissing = "mfa_missing"
        case guest = "guest_user"
        case notAnAdmin = "not_an_admin"
        /// Neither `wids` nor Graph gave the roles' identities (the registration has neither the
        /// groups claim nor a directory-read permission).
        case adminUnverifiable = "admin_unverifiable"
    }

    /// The checks that need only the id token, made before anything is asked of Graph.
    public func tokenRefusal(partnerTenant: TenantID) -> Refusal? {
        guard tenantID?.lowercased() == partnerTenant.description else { return .tenantMismatch }
        guard authenticationMethods.contains("mfa") else { return .mfaMissing }
        if let identityProvider, !Self.isIssuer(identityProvider, of: partnerTenant) { return .guest }
        return nil
    }

    /// Whether the id token alone shows a Global Administrator (then the memberships need no read).
    public var tokenShowsGlobalAdministrator: Bool {
        directoryRoles?.contains { $0.lowercased() == Self.globalAdministrator } ?? false
    }

    /// The whole rule: nil when this user may consent for `partnerTenant`.
    public func refusal(partnerTenant: TenantID) -> Refusal? {
        if let refusal = tokenRefusal(partnerTenant: partnerTenant) { return refusal }
        guard let userType else { return .adminUnverifiable }
        guard userType.lowercased() == "member" else { return .guest }
        if tokenShowsGlobalAdministrator { return nil }
        let memberships = memberships ?? []
        let admin = memberships.contains { membership in
            switch membership.kind {
            case .directoryRole: return membership.roleTemplateID?.lowercased() == Self.globalAdministrator
            case .group: return membership.securityEnabled == true && membership.displayName?.lowercased() == Self.adminAgentsGroup
            case .other: return false
            }
        }
        if admin { return nil }
        let withheld = memberships.contains { membership in
            switch membership.kind {
            case .directoryRole: return membership.roleTemplateID == nil
            case .group: return membership.displayName == nil || membership.securityEnabled == nil
            case .other: return false
            }
        }
        return withheld ? .adminUnverifiable : .notAnAdmin
    }

    /// `https://sts.windows.net/{tid}/` and `https://login.../{tid}/v2.0` name the tenant itself.
    static func isIssuer(_ issuer: String, of tenant: TenantID) -> Bool {
        let value = issuer.lowercased()
        return value.contains("/\(tenant.description)/") || value.hasSuffix("/\(tenant.description)")
    }
}
