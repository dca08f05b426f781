import Foundation

/// A change a tenant administrator makes in a customer tenant behind Partner Center's back, as Graph
/// then shows it (issue #16: the drift a verify-first reconcile must find).
///
/// JSON: `{"kind": "removeScope", "resourceAppId": "00000003-0000-0000-c000-000000000000", "scope": "User.Read.All"}`,
/// `{"kind": "addScope", …}` (same fields) or `{"kind": "deleteServicePrincipal"}`; each optionally
/// with `"applicationId"` (default: the world's first application, the CPV app). `resourceAppId` may
/// also be a well-known resource URI (`https://graph.microsoft.com`).
public struct ConsentDrift: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// One scope leaves the application's grant on that resource (the grant goes when it was the last).
        case removeScope
        /// One scope joins the grant on that resource (a grant is created when there was none).
        case addScope
        /// The application's service principal is deleted, and with it its grants: the consent is gone,
        /// for Partner Center too (a DELETE answers 404, a POST creates it afresh).
        case deleteServicePrincipal
    }

    public var kind: Kind
    public var applicationId: String?
    public var resourceAppId: String?
    public var scope: String?

    public init(kind: Kind, applicationId: String? = nil, resourceAppId: String? = nil, scope: String? = nil) {
        self.kind = kind
        self.applicationId = applicationId?.lowercased()
        self.resourceAppId = resourceAppId.map(Self.normalisedResource)
        self.scope = scope
    }

    public static func removeScope(_ scope: String, resourceAppId: String, applicationId: String? = nil) -> ConsentDrift {
        ConsentDrift(kind: .removeScope, applicationId: applicationId, resourceAppId: resourceAppId, scope: scope)
    }

    public static func addScope(_ scope: String, resourceAppId: String, applicationId: String? = nil) -> ConsentDrift {
        ConsentDrift(kind: .addScope, applicationId: applicationId, resourceAppId: resourceAppId, scope: scope)
    }

    public static func deleteServicePrincipal(applicationId: String? = nil) -> ConsentDrift {
        ConsentDrift(kind: .deleteServicePrincipal, applicationId: applicationId)
    }

    /// Why this drift cannot be applied anywhere, or nil.
    var problem: String? {
        if let applicationId, !GUIDFormat.isGUID(applicationId) { return "applicationId must be a GUID" }
        switch kind {
        case .deleteServicePrincipal:
            return nil
        case .removeScope, .addScope:
            guard let resourceAppId, GUIDFormat.isGUID(resourceAppId) else {
                return "\(kind.rawValue) needs resourceAppId: a resource's application id (GUID) or a well-known resource URI"
            }
            guard let scope, !scope.isEmpty, !scope.contains(where: { $0 == " " || $0 == "," }) else {
                return "\(kind.rawValue) needs scope: one scope name, without spaces or commas"
            }
            return nil
        }
    }

    private static func normalisedResource(_ value: String) -> String {
        WellKnownResource.match(value)?.applicationId ?? value.lowercased()
    }

    enum CodingKeys: String, CodingKey { case kind, applicationId, resourceAppId, scope }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(Kind.self, forKey: .kind),
            applicationId: try c.decodeIfPresent(String.self, forKey: .applicationId),
            resourceAppId: try c.decodeIfPresent(String.self, forKey: .resourceAppId),
            scope: try c.decodeIfPresent(String.self, forKey: .scope))
        if let problem { throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: problem) }
    }
}

/// Why a drift does not apply to one customer.
public enum ConsentDriftError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCustomer(String)
    case noConsent(customerId: String, applicationId: String)
    case scopeNotGranted(String)
    case scopeAlreadyGranted(String)
    case noResourceServicePrincipal(String)

    /// The control API's stable error code.
    public var code: String {
        switch self {
        case .unknownCustomer: "unknown_customer"
        case .noConsent: "no_consent"
        case .scopeNotGranted: "scope_not_granted"
        case .scopeAlreadyGranted: "scope_already_granted"
        case .noResourceServicePrincipal: "no_resource_service_principal"
        }
    }

    public var description: String {
        switch self {
        case .unknownCustomer(let id): "no customer \(id) in the world"
        case .noConsent(let customer, let app): "application \(app) holds no consent in customer \(customer)"
        case .scopeNotGranted(let scope): "the grant does not hold the scope \(scope)"
        case .scopeAlreadyGranted(let scope): "the grant already holds the scope \(scope)"
        case .noResourceServicePrincipal(let resource): "the customer has no service principal for resource \(resource)"
        }
    }
}

extension ConsentRecord {
    /// Applies a scope drift to this record's grants (a service principal's deletion removes the
    /// record instead, in `SimulatorState`).
    mutating func apply(_ drift: ConsentDrift, customerId: String, resources: [String]) throws(ConsentDriftError) {
        guard let resourceAppId = drift.resourceAppId, let scope = drift.scope else { return }
        let index = grants.firstIndex { $0.resourceAppId == resourceAppId }
        var scopes = index.map { grants[$0].scope.split(separator: " ").map(String.init) } ?? []
        // Graph compares scope names case-insensitively.
        let held = scopes.firstIndex { $0.lowercased() == scope.lowercased() }
        switch drift.kind {
        case .deleteServicePrincipal:
            return
        case .removeScope:
            guard let index, let held else { throw .scopeNotGranted(scope) }
            scopes.remove(at: held)
            // A grant without scopes is no grant: Graph shows none for that resource.
            if scopes.isEmpty { grants.remove(at: index) } else { grants[index].scope = scopes.joined(separator: " ") }
        case .addScope:
            guard held == nil else { throw .scopeAlreadyGranted(scope) }
            if let index {
                grants[index].scope = (scopes + [scope]).joined(separator: " ")
                return
            }
            guard resources.contains(where: { $0.lowercased() == resourceAppId }) else { throw .noResourceServicePrincipal(resourceAppId) }
            grants.append(PermissionGrantRecord(
                id: Base64URL.encode(Array(GUIDFormat.random().utf8).prefix(32)), clientId: servicePrincipalId, consentType: "AllPrincipals",
                principalId: nil, resourceId: ConsentRecord.resourceServicePrincipalId(customerId: customerId, resourceAppId: resourceAppId),
                resourceAppId: resourceAppId, scope: scope))
        }
    }
}
