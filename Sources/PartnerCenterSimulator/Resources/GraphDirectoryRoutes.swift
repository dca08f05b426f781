import Foundation
import Hummingbird

/// Microsoft Graph's view of the signed-in user, as the consent callback reads it to check who
/// consented: `GET /v1.0/me` (with `userType`), and `GET /v1.0/me/memberOf` /
/// `/v1.0/me/transitiveMemberOf` (optionally cast with `/microsoft.graph.directoryRole` or
/// `/microsoft.graph.group`), paged by `$top` (default 100, at most 999) and `@odata.nextLink`.
///
/// Where Microsoft leaves room, the strict reading: with only `User.Read` a caller gets directory
/// roles and groups with their `@odata.type` and `id` and nothing else ("limited information", see
/// the API's permissions section); names and `roleTemplateId` need a directory-read permission.
struct GraphDirectoryRoutes: Sendable {
    let state: SimulatorState

    /// Names of the role templates the simulator knows; others are listed by id.
    static let roleNames = [
        SimulatedUser.globalAdministrator: "Global Administrator",
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
        "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
        "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
        "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    ]
    static let roleReaders: Set<String> = ["directory.read.all", "directory.readwrite.all", "rolemanagement.read.directory", "rolemanagement.read.all"]
    static let groupReaders: Set<String> = ["directory.read.all", "directory.readwrite.all", "group.read.all", "groupmember.read.all"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1.0/me") { request, _ in
            self.signedIn(request) { entry, _ in
                HTTPResponses.json(Me(
                    id: entry.user.objectId, userPrincipalName: entry.user.userPrincipalName, displayName: entry.user.displayName,
                    userType: entry.user.isGuest ? "Guest" : "Member"))
            }
        }
        for relation in ["memberOf", "transitiveMemberOf"] {
            for cast in ["", "/microsoft.graph.directoryRole", "/microsoft.graph.group"] {
                router.get("/v1.0/me/\(relation)\(cast)") { request, _ in
                    self.signedIn(request) { entry, scopes in
                        self.memberships(entry, scopes: scopes, cast: cast, request: request)
                    }
                }
            }
        }
    }

    private func memberships(_ entry: WorldIndex.UserEntry, scopes: Set<String>, cast: String, request: Request) -> Response {
        let tenant = entry.partnerTenantId
        let readsRoles = !scopes.isDisjoint(with: Self.roleReaders)
        let readsGroups = !scopes.isDisjoint(with: Self.groupReaders)
        var objects: [DirectoryObject] = []
        if cast != "/microsoft.graph.group" {
            objects += entry.directoryRoles.map { template in
                DirectoryObject(
                    type: "#microsoft.graph.directoryRole", id: StableID.guid("directoryRole", tenant, template.lowercased()),
                    displayName: readsRoles ? Self.roleNames[template.lowercased()] ?? template : nil,
                    roleTemplateId: readsRoles ? template.lowercased() : nil, securityEnabled: nil, groupTypes: nil)
            }
        }
        if cast != "/microsoft.graph.directoryRole" {
            objects += entry.user.groups.map { name in
                DirectoryObject(
                    type: "#microsoft.graph.group", id: StableID.guid("group", tenant, name.lowercased()), displayName: readsGroups ? name : nil,
                    roleTemplateId: nil, securityEnabled: readsGroups ? true : nil, groupTypes: readsGroups ? [] : nil)
            }
        }
        let top = min(999, max(1, Int(request.query("$top") ?? "") ?? 100))
        let offset = Int(request.query("$skiptoken") ?? "") ?? 0
        let page = Array(objects.dropFirst(offset).prefix(top))
        var next: String?
        if offset + page.count < objects.count, let host = request.head.authority {
            next = "http://\(host)\(request.uri.path)?$top=\(top)&$skiptoken=\(offset + page.count)"
        }
        return HTTPResponses.json(Page(value: page, nextLink: next))
    }

    /// Runs `body` for the user a delegated Graph token was issued to, with the token's scopes.
    private func signedIn(_ request: Request, _ body: (WorldIndex.UserEntry, Set<String>) -> Response) -> Response {
        switch state.verifyBearer(request, audience: .graph) {
        case .failure(let failure):
            return HTTPResponses.json(ErrorBody(error: .init(code: "InvalidAuthenticationToken", message: failure.message)), status: .unauthorized)
        case .success(let claims):
            guard !claims.isAppOnly, let oid = claims.oid?.lowercased(), let entry = state.index.usersByObjectId[oid],
                entry.partnerTenantId == claims.tid.lowercased()
            else {
                return HTTPResponses.json(
                    ErrorBody(error: .init(code: "BadRequest", message: "/me request is only valid with delegated authentication flow.")),
                    status: .badRequest)
            }
            return body(entry, Set((claims.scp ?? "").split(separator: " ").map { $0.lowercased() }))
        }
    }

    private struct Me: Encodable {
        var id: String
        var userPrincipalName: String
        var displayName: String
        var userType: String
    }

    private struct DirectoryObject: Encodable {
        var type: String
        var id: String
        var displayName: String?
        var roleTemplateId: String?
        var securityEnabled: Bool?
        var groupTypes: [String]?

        enum CodingKeys: String, CodingKey {
            case type = "@odata.type", id, displayName, roleTemplateId, securityEnabled, groupTypes
        }
    }

    private struct Page: Encodable {
        var value: [DirectoryObject]
        var nextLink: String?

        enum CodingKeys: String, CodingKey {
            case value, nextLink = "@odata.nextLink"
        }
    }

    private struct ErrorBody: Encodable {
        struct Inner: Encodable { var code: String; var message: String }
        var error: Inner
    }
}
