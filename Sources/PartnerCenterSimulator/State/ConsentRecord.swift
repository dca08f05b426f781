import Foundation

/// A consent as it exists in a customer tenant: the CPV app's service principal plus one
/// tenant-wide delegated grant per resource (what Graph shows afterwards, reference §6.1 / §7).
struct ConsentRecord: Sendable {
    var consent: SimulatedConsent
    var servicePrincipalId: String
    var grants: [PermissionGrantRecord]
    var createdAt: Date

    init(customerId: String, consent: SimulatedConsent, now: Date) {
        self.consent = consent
        // Entra creates a fresh service principal object each time consent is (re)created.
        self.servicePrincipalId = GUIDFormat.random()
        self.createdAt = now
        let spId = servicePrincipalId
        self.grants = consent.applicationGrants.map { grant in
            let resourceAppId = grant.enterpriseApplicationId.lowercased()
            return PermissionGrantRecord(
                id: Base64URL.encode(Array(GUIDFormat.random().utf8).prefix(32)),
                clientId: spId,
                consentType: "AllPrincipals",
                principalId: nil,
                resourceId: ConsentRecord.resourceServicePrincipalId(customerId: customerId, resourceAppId: resourceAppId),
                resourceAppId: resourceAppId,
                scope: grant.scopes.joined(separator: " ")
            )
        }
    }

    static func resourceServicePrincipalId(customerId: String, resourceAppId: String) -> String {
        StableID.guid("sp", customerId.lowercased(), resourceAppId.lowercased())
    }

    /// Delegated scopes this consent gives on one resource, or nil when the resource is not granted.
    func scopes(forResourceAppId resourceAppId: String) -> [String]? {
        grants.first { $0.resourceAppId == resourceAppId.lowercased() }.map { $0.scope.split(separator: " ").map(String.init) }
    }
}

/// Graph's oauth2PermissionGrant, as `GET /servicePrincipals/{id}/oauth2PermissionGrants` lists it.
struct PermissionGrantRecord: Codable, Sendable, Equatable {
    var id: String
    var clientId: String
    var consentType: String
    var principalId: String?
    var resourceId: String
    var resourceAppId: String
    var scope: String

    private enum CodingKeys: String, CodingKey { case id, clientId, consentType, principalId, resourceId, scope }

    init(id: String, clientId: String, consentType: String, principalId: String?, resourceId: String, resourceAppId: String, scope: String) {
        self.id = id
        self.clientId = clientId
        self.consentType = consentType
        self.principalId = principalId
        self.resourceId = resourceId
        self.resourceAppId = resourceAppId
        self.scope = scope
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        clientId = try c.decode(String.self, forKey: .clientId)
        consentType = try c.decode(String.self, forKey: .consentType)
        principalId = try c.decodeIfPresent(String.self, forKey: .principalId)
        resourceId = try c.decode(String.self, forKey: .resourceId)
        scope = try c.decode(String.self, forKey: .scope)
        resourceAppId = ""
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(clientId, forKey: .clientId)
        try c.encode(consentType, forKey: .consentType)
        try c.encode(principalId, forKey: .principalId)
        try c.encode(resourceId, forKey: .resourceId)
        try c.encode(scope, forKey: .scope)
    }
}
