import Foundation

/// Everything the simulated clouds know before the first request: applications, partners, customers, consents.
public struct SimulatorWorld: Codable, Sendable, Equatable {
    public var applications: [SimulatedApplication]
    public var partners: [SimulatedPartner]

    public init(applications: [SimulatedApplication], partners: [SimulatedPartner]) {
        self.applications = applications
        self.partners = partners
    }

    /// Loads a world written as JSON (the `--world world.json` format, see docs/simulator.md).
    public static func load(contentsOf url: URL) throws -> SimulatorWorld {
        try decode(Data(contentsOf: url))
    }

    /// Dates (secret expiry) are ISO 8601, as `GET /_sim/world` writes them.
    public static func decode(_ data: Data) throws -> SimulatorWorld {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SimulatorWorld.self, from: data)
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// An Entra application registration (the CPV app), multi-tenant.
public struct SimulatedApplication: Codable, Sendable, Equatable {
    public var appId: String
    public var displayName: String
    /// The tenant that owns the registration; client_credentials for Key Vault run there.
    public var homeTenantId: String
    public var clientSecrets: [SimulatedClientSecret]
    /// PEM certificates whose keys may sign client assertions.
    public var certificatePEMs: [String]
    public var redirectURIs: [String]
    /// The registration's `groupMembershipClaims`: `DirectoryRole` or `All` puts the user's directory
    /// role template ids in the `wids` claim of id tokens; nil (the default) emits no `wids`.
    public var groupMembershipClaims: String?
    /// Microsoft Graph delegated permissions the registration holds in a partner's own tenant
    /// (what `.default` gives there). nil: `User.Read` only, the least a sign-in needs.
    public var graphDelegatedScopes: [String]?

    public init(
        appId: String, displayName: String, homeTenantId: String,
        clientSecrets: [SimulatedClientSecret], certificatePEMs: [String] = [], redirectURIs: [String],
        groupMembershipClaims: String? = nil, graphDelegatedScopes: [String]? = nil
    ) {
        self.appId = appId
        self.displayName = displayName
        self.homeTenantId = homeTenantId
        self.clientSecrets = clientSecrets
        self.certificatePEMs = certificatePEMs
        self.redirectURIs = redirectURIs
        self.groupMembershipClaims = groupMembershipClaims
        self.graphDelegatedScopes = graphDelegatedScopes
    }

    /// Whether id tokens carry `wids`.
    var emitsDirectoryRoles: Bool {
        ["directoryrole", "all"].contains(groupMembershipClaims?.lowercased() ?? "")
    }
}

/// A client secret; an `expiresAt` in the past makes Entra answer AADSTS7000222.
public struct SimulatedClientSecret: Codable, Sendable, Equatable {
    public var value: String
    public var expiresAt: Date?

    public init(value: String, expiresAt: Date? = nil) {
        self.value = value
        self.expiresAt = expiresAt
    }
}

/// A CSP partner tenant with its users and customers.
public struct SimulatedPartner: Codable, Sendable, Equatable {
    public var tenantId: String
    public var displayName: String
    public var domain: String
    /// Administrators: Global Administrators unless their `directoryRoles` say otherwise.
    public var adminUsers: [SimulatedUser]
    /// Everyone else in the directory: plain members, Admin Agents, guests (no directory role
    /// unless their `directoryRoles` give one). Absent from older world files: none.
    public var users: [SimulatedUser]
    public var customers: [SimulatedCustomer]

    public init(
        tenantId: String, displayName: String, domain: String, adminUsers: [SimulatedUser], users: [SimulatedUser] = [],
        customers: [SimulatedCustomer]
    ) {
        self.tenantId = tenantId
        self.displayName = displayName
        self.domain = domain
        self.adminUsers = adminUsers
        self.users = users
        self.customers = customers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantId = try container.decode(String.self, forKey: .tenantId)
        displayName = try container.decode(String.self, forKey: .displayName)
        domain = try container.decode(String.self, forKey: .domain)
        adminUsers = try container.decode([SimulatedUser].self, forKey: .adminUsers)
        users = try container.decodeIfPresent([SimulatedUser].self, forKey: .users) ?? []
        customers = try container.decode([SimulatedCustomer].self, forKey: .customers)
    }
}

/// A user of a partner's directory; `didMFA` decides whether `amr` carries `mfa`.
public struct SimulatedUser: Codable, Sendable, Equatable {
    public var userPrincipalName: String
    public var objectId: String
    public var displayName: String
    public var didMFA: Bool
    /// `Member`, or `Guest` for someone invited from another tenant (`homeTenantId`).
    public var userType: String
    /// Directory role template ids (`SimulatedUser.globalAdministrator`, ...); nil: a Global
    /// Administrator in `adminUsers`, none in `users`.
    public var directoryRoles: [String]?
    /// Display names of the security groups the user is in, e.g. `AdminAgents`.
    public var groups: [String]
    /// A guest's own tenant: tokens carry it as `idp`.
    public var homeTenantId: String?

    /// The Global Administrator role template id.
    public static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"

    public init(
        userPrincipalName: String, objectId: String, displayName: String, didMFA: Bool = true, userType: String = "Member",
        directoryRoles: [String]? = nil, groups: [String] = [], homeTenantId: String? = nil
    ) {
        self.userPrincipalName = userPrincipalName
        self.objectId = objectId
        self.displayName = displayName
        self.didMFA = didMFA
        self.userType = userType
        self.directoryRoles = directoryRoles
        self.groups = groups
        self.homeTenantId = homeTenantId
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userPrincipalName = try container.decode(String.self, forKey: .userPrincipalName)
        objectId = try container.decode(String.self, forKey: .objectId)
        displayName = try container.decode(String.self, forKey: .displayName)
        didMFA = try container.decodeIfPresent(Bool.self, forKey: .didMFA) ?? true
        userType = try container.decodeIfPresent(String.self, forKey: .userType) ?? "Member"
        directoryRoles = try container.decodeIfPresent([String].self, forKey: .directoryRoles)
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
        homeTenantId = try container.decodeIfPresent(String.self, forKey: .homeTenantId)
    }

    public var isGuest: Bool { userType.lowercased() == "guest" }
}

/// A customer tenant of one partner.
public struct SimulatedCustomer: Codable, Sendable, Equatable {
    public var tenantId: String
    public var companyName: String
    public var domain: String
    public var relationshipToPartner: String
    /// Consents that already exist when the simulator starts.
    public var consents: [SimulatedConsent]
    /// ARM subscriptions visible in this tenant once ARM is consented.
    public var subscriptionIds: [String]
    /// Resource apps with a service principal in this tenant; nil means the well-known set
    /// (Graph, ARM, Partner Center, Azure AD Graph). A grant for a resource not listed is refused (§6.5).
    public var resourceServicePrincipals: [String]?

    public init(
        tenantId: String, companyName: String, domain: String, relationshipToPartner: String = "reseller",
        consents: [SimulatedConsent] = [], subscriptionIds: [String] = [], resourceServicePrincipals: [String]? = nil
    ) {
        self.tenantId = tenantId
        self.companyName = companyName
        self.domain = domain
        self.relationshipToPartner = relationshipToPartner
        self.consents = consents
        self.subscriptionIds = subscriptionIds
        self.resourceServicePrincipals = resourceServicePrincipals
    }
}

/// One application consent as Partner Center's applicationconsents API takes it.
public struct SimulatedConsent: Codable, Sendable, Equatable {
    public var applicationId: String
    public var displayName: String?
    public var applicationGrants: [SimulatedGrant]

    public init(applicationId: String, displayName: String? = nil, applicationGrants: [SimulatedGrant]) {
        self.applicationId = applicationId
        self.displayName = displayName
        self.applicationGrants = applicationGrants
    }
}

/// One resource and its comma-separated delegated scopes.
public struct SimulatedGrant: Codable, Sendable, Equatable {
    public var enterpriseApplicationId: String
    public var scope: String

    public init(enterpriseApplicationId: String, scope: String) {
        self.enterpriseApplicationId = enterpriseApplicationId
        self.scope = scope
    }

    /// The scope list split on commas, trimmed, empties dropped.
    public var scopes: [String] {
        scope.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
