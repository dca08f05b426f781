import Foundation

/// One resource application's delegated permissions in a consent, e.g. Graph with
/// `Directory.Read.All`. Encodes in Partner Center's wire form: `{enterpriseApplicationId, scope}`
/// with the scopes comma-joined, which is also how `grant_sets.grants` stores it.
public struct ApplicationGrant: Sendable, Equatable, Hashable, Codable {
    public var enterpriseApplicationID: ApplicationID
    public var scopes: [String]

    public init(enterpriseApplicationID: ApplicationID, scopes: [String]) {
        self.enterpriseApplicationID = enterpriseApplicationID
        self.scopes = scopes
    }

    /// The scopes as Partner Center wants them: one string, comma separated, no spaces.
    public var scopeString: String { scopes.joined(separator: ",") }

    private enum CodingKeys: String, CodingKey {
        case enterpriseApplicationID = "enterpriseApplicationId"
        case scope
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enterpriseApplicationID = try container.decode(ApplicationID.self, forKey: .enterpriseApplicationID)
        scopes = try container.decode(String.self, forKey: .scope).split(separator: ",").map(String.init)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(enterpriseApplicationID, forKey: .enterpriseApplicationID)
        try container.encode(scopeString, forKey: .scope)
    }
}

/// A version of the desired consent: the grants the CPV app must hold in every customer tenant.
/// Versions only grow; the newest one is what runs apply.
public struct GrantSet: Sendable, Equatable, Codable {
    public var version: Int
    /// The CPV application the consent is for (Partner Center's `applicationId`).
    public var applicationID: ApplicationID
    public var displayName: String
    public var grants: [ApplicationGrant]
    public var createdBy: String
    public var createdAt: Date

    public init(
        version: Int, applicationID: ApplicationID, displayName: String, grants: [ApplicationGrant],
        createdBy: String, createdAt: Date
    ) {
        self.version = version
        self.applicationID = applicationID
        self.displayName = displayName
        self.grants = grants
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// The first grant set a fresh installation gets: Microsoft Graph with the given scopes, plus
    /// Azure Resource Manager `user_impersonation` (what Microsoft's CPV samples grant "for ARM access").
    public static func seed(
        applicationID: ApplicationID, displayName: String, graphScopes: [String],
        createdBy: String = "system", createdAt: Date
    ) -> GrantSet {
        GrantSet(
            version: 1, applicationID: applicationID, displayName: displayName,
            grants: [
                ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: graphScopes),
                ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"]),
            ],
            createdBy: createdBy, createdAt: createdAt)
    }

    /// The grant for one resource, if the set has it.
    public func grant(for resource: ApplicationID) -> ApplicationGrant? {
        grants.first { $0.enterpriseApplicationID == resource }
    }
}
