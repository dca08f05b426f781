/// The POST body of applicationconsents, with property names matched case-insensitively
/// (CIPP sends PascalCase and succeeds, reference §6.1).
struct ApplicationConsentBody: Decodable, Sendable {
    var applicationId: String?
    var displayName: String?
    var applicationGrants: [Grant]?

    struct Grant: Decodable, Sendable {
        var enterpriseApplicationId: String?
        var scope: String?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            enterpriseApplicationId = try c.decodeIfPresent(String.self, forKey: c.key("enterpriseApplicationId"))
            scope = try c.decodeIfPresent(String.self, forKey: c.key("scope"))
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        applicationId = try c.decodeIfPresent(String.self, forKey: c.key("applicationId"))
        displayName = try c.decodeIfPresent(String.self, forKey: c.key("displayName"))
        applicationGrants = try c.decodeIfPresent([Grant].self, forKey: c.key("applicationGrants"))
    }

    /// The validated consent, or a 400 / code 3000 naming the bad property.
    func validated() throws(PartnerCenterError) -> SimulatedConsent {
        guard let applicationId, GUIDFormat.isGUID(applicationId) else { throw .invalidProperty("applicationId is required and must be a GUID.") }
        guard let grants = applicationGrants, !grants.isEmpty else { throw .invalidProperty("applicationGrants must list at least one grant.") }
        var result: [SimulatedGrant] = []
        for grant in grants {
            guard let resource = grant.enterpriseApplicationId, GUIDFormat.isGUID(resource) else {
                throw .invalidProperty("applicationGrants.enterpriseApplicationId is required and must be a GUID.")
            }
            guard let scope = grant.scope, !SimulatedGrant(enterpriseApplicationId: resource, scope: scope).scopes.isEmpty else {
                throw .invalidProperty("applicationGrants.scope is required (comma-separated permission names).")
            }
            result.append(SimulatedGrant(enterpriseApplicationId: resource, scope: scope))
        }
        return SimulatedConsent(applicationId: applicationId, displayName: displayName, applicationGrants: result)
    }
}

/// A coding key that matches JSON property names regardless of case.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    func key(_ name: String) -> AnyKey {
        allKeys.first { $0.stringValue.lowercased() == name.lowercased() } ?? AnyKey(stringValue: name)
    }
}
