import ConsentDomain
import Foundation
import Logging

/// The signed-in user as Microsoft Graph sees them: who consents for a partner (its callback).
extension GraphClient {
    /// `GET /v1.0/me`: the fields the consent check needs.
    public struct SignedInUser: Sendable, Equatable, Decodable {
        public let id: String
        public let userPrincipalName: String?
        /// `Member` or `Guest`.
        public let userType: String?
    }

    /// One entry of `/me/transitiveMemberOf`; with `User.Read` only Graph may withhold all but
    /// the type and id.
    public struct DirectoryObject: Sendable, Equatable, Decodable {
        public let type: String?
        public let id: String
        public let displayName: String?
        public let roleTemplateId: String?
        public let securityEnabled: Bool?

        enum CodingKeys: String, CodingKey {
            case type = "@odata.type", id, displayName, roleTemplateId, securityEnabled
        }
    }

    private struct Page: Decodable {
        let value: [DirectoryObject]
        let nextLink: String?

        enum CodingKeys: String, CodingKey {
            case value, nextLink = "@odata.nextLink"
        }
    }

    /// At most this many pages of memberships (999 each): far beyond any real user.
    static let maximumMembershipPages = 20

    public func signedInUser(profile: CloudProfile, accessToken: Secret<String>, logger: Logger) async throws(GraphCallError) -> SignedInUser {
        try await get("\(profile.graph)/v1.0/me?$select=id,userPrincipalName,userType", accessToken: accessToken, logger: logger)
    }

    /// Every group and directory role the signed-in user belongs to, directly or through groups,
    /// following `@odata.nextLink`, but only to the Graph host we called (the link carries our token).
    public func memberships(profile: CloudProfile, accessToken: Secret<String>, logger: Logger) async throws(GraphCallError) -> [DirectoryObject] {
        var url = "\(profile.graph)/v1.0/me/transitiveMemberOf?$select=id,displayName,roleTemplateId,securityEnabled&$top=999"
        var objects: [DirectoryObject] = []
        for _ in 0..<Self.maximumMembershipPages {
            let page: Page = try await get(url, accessToken: accessToken, logger: logger)
            objects += page.value
            guard let next = page.nextLink else { return objects }
            guard next.hasPrefix(profile.graph + "/") else { throw .malformedResponse(status: 200) }
            url = next
        }
        throw .malformedResponse(status: 200)
    }
}
