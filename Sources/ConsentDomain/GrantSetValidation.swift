import Foundation

/// A grant set as staff submit it (`POST /grant-sets`), before validation.
public struct GrantSetDraft: Sendable, Equatable {
    /// One resource's grant as submitted: the resource id as typed, and its scope names.
    public struct Grant: Sendable, Equatable {
        public var enterpriseApplicationID: String
        public var scopes: [String]

        public init(enterpriseApplicationID: String, scopes: [String]) {
            self.enterpriseApplicationID = enterpriseApplicationID
            self.scopes = scopes
        }

        /// From the wire form `scope: "A,B"`. Empty pieces are kept so that `"A,,B"` or a trailing
        /// comma is reported instead of silently dropped.
        public init(enterpriseApplicationID: String, scope: String) {
            self.init(
                enterpriseApplicationID: enterpriseApplicationID,
                scopes: scope.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
    }

    public var applicationID: String
    public var displayName: String
    public var grants: [Grant]

    public init(applicationID: String, displayName: String, grants: [Grant]) {
        self.applicationID = applicationID
        self.displayName = displayName
        self.grants = grants
    }

    /// Checks the draft and returns the typed grants, or the first problem found (in field order).
    ///
    /// Scope names are trimmed of surrounding whitespace, then must match `[A-Za-z0-9._-]+`
    /// (delegated permission names never hold anything else, and Partner Center splits on commas).
    /// Duplicates are compared case-insensitively because Entra ID treats scope values that way.
    public func validated() throws(DomainValidationError) -> ValidGrantSetDraft {
        guard let appID = ApplicationID(applicationID.trimmingCharacters(in: .whitespaces)) else {
            throw DomainValidationError(field: "applicationId", code: .notAGUID, message: "must be a GUID")
        }
        let name = try DisplayName.validated(displayName, field: "displayName")
        guard !grants.isEmpty else {
            throw DomainValidationError(field: "grants", code: .empty, message: "must hold at least one grant")
        }
        var seenResources = Set<ApplicationID>()
        var typed: [ApplicationGrant] = []
        for (index, grant) in grants.enumerated() {
            let resource = try Self.resource(grant.enterpriseApplicationID, index: index)
            guard seenResources.insert(resource).inserted else {
                throw DomainValidationError(
                    field: "grants[\(index)].enterpriseApplicationId", code: .duplicate,
                    message: "\(resource) appears twice: put all its scopes in one grant")
            }
            typed.append(ApplicationGrant(enterpriseApplicationID: resource, scopes: try Self.scopes(grant.scopes, index: index)))
        }
        return ValidGrantSetDraft(applicationID: appID, displayName: name, grants: typed)
    }

    private static func resource(_ raw: String, index: Int) throws(DomainValidationError) -> ApplicationID {
        let field = "grants[\(index)].enterpriseApplicationId"
        guard let resource = ApplicationID(raw.trimmingCharacters(in: .whitespaces)) else {
            throw DomainValidationError(field: field, code: .notAGUID, message: "must be a GUID")
        }
        guard resource != .legacyAzureADGraph else {
            throw DomainValidationError(
                field: field, code: .deprecatedResource,
                message: "Azure AD Graph (\(resource)) is deprecated since 2023-06-30 and being retired; "
                    + "grant Microsoft Graph (\(ApplicationID.microsoftGraph)) instead")
        }
        return resource
    }

    private static let allowedScopeCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    private static func scopes(_ raw: [String], index: Int) throws(DomainValidationError) -> [String] {
        let field = "grants[\(index)].scope"
        guard !raw.isEmpty else {
            throw DomainValidationError(field: field, code: .empty, message: "must name at least one scope")
        }
        var seen = Set<String>()
        var scopes: [String] = []
        for piece in raw {
            let scope = piece.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !scope.isEmpty else {
                throw DomainValidationError(field: field, code: .empty, message: "has an empty scope name")
            }
            guard scope.unicodeScalars.allSatisfy(allowedScopeCharacters.contains) else {
                throw DomainValidationError(
                    field: field, code: .invalidCharacters,
                    message: "scope \"\(scope.prefix(64))\" may only hold letters, digits, '.', '_' and '-'")
            }
            guard seen.insert(scope.lowercased()).inserted else {
                throw DomainValidationError(field: field, code: .duplicate, message: "scope \(scope) appears twice")
            }
            scopes.append(scope)
        }
        return scopes
    }
}

/// A grant set that passed validation, waiting for the store to give it the next version.
public struct ValidGrantSetDraft: Sendable, Equatable {
    public let applicationID: ApplicationID
    public let displayName: String
    public let grants: [ApplicationGrant]

    /// The grant set this draft becomes once the store has picked its version.
    public func grantSet(version: Int, createdBy: String, createdAt: Date) -> GrantSet {
        GrantSet(
            version: version, applicationID: applicationID, displayName: displayName, grants: grants,
            createdBy: createdBy, createdAt: createdAt)
    }
}
