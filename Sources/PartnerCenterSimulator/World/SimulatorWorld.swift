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

    public init(
        appId: String, displayName: String, homeTenantId: String,
        clientSecrets: [SimulatedClientSecret], certificatePEMs: [String] = [], redirectURIs: [String]
    ) {
        self.appId = appId
        self.displayName = displayName
        self.homeTenantId = homeTenantId
        self.clientSecrets = clientSecrets
        self.certificatePEMs = certificatePEMs
        self.redirectURIs = redirectURIs
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

/// A CSP partner tenant with its admin users and customers.
public struct SimulatedPartner: Codable, Sendable, Equatable {
    public var tenantId: String
    public var displayName: String
    public var domain: String
    public var adminUsers: [SimulatedUser]
    public var customers: [SimulatedCustomer]

    public init(tenantId: String, displayName: String, domain: String, adminUsers: [SimulatedUser], customers: [SimulatedCustomer]) {
        self.tenantId = tenantId
        self.displayName = displayName
        self.domain = domain
        self.adminUsers = adminUsers
        self.customers = customers
    }
}

/// A partner user; `didMFA` decides whether `amr` carries `mfa`.
public struct SimulatedUser: Codable, Sendable, Equatable {
    public var userPrincipalName: String
    public var objectId: String
    public var displayName: String
    public var didMFA: Bool

    public init(userPrincipalName: String, objectId: String, displayName: String, didMFA: Bool = true) {
        self.userPrincipalName = userPrincipalName
        self.objectId = objectId
        self.displayName = displayName
        self.didMFA = didMFA
    }
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
