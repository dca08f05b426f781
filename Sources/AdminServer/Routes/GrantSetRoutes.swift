import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird

/// `GET /api/v1/grant-sets` (every version, newest first) and `POST /api/v1/grant-sets` (publish
/// the next version). Wiring: `GrantSetRoutes(grantSets: services.grantSets).register(on: api)`.
public struct GrantSetRoutes: Sendable {
    let grantSets: GrantSetRepository

    public init(grantSets: GrantSetRepository) {
        self.grantSets = grantSets
    }

    /// The wire form of a grant set.
    struct GrantSetDTO: Encodable {
        let version: Int
        let applicationId: String
        let displayName: String
        let grants: [ApplicationGrant]
        let createdBy: String
        let createdAt: Date

        init(_ grantSet: GrantSet) {
            version = grantSet.version
            applicationId = grantSet.applicationID.description
            displayName = grantSet.displayName
            grants = grantSet.grants
            createdBy = grantSet.createdBy
            createdAt = grantSet.createdAt
        }
    }

    /// `POST` body: `applicationId` may be left out to keep the current grant set's application.
    struct PublishBody: Decodable {
        struct Grant: Decodable {
            let enterpriseApplicationId: String
            let scope: String
        }
        let applicationId: String?
        let displayName: String
        let grants: [Grant]
    }

    /// Registers under the `/api/v1` group (behind `StaffAuthMiddleware`): reading needs `viewer`,
    /// publishing `admin`, because a new version changes what every later run grants.
    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/grant-sets") { _, context in
            _ = try context.require(.viewer)
            let sets = try await grantSets.all(logger: context.logger)
            return try JSONBody.response(["items": sets.map(GrantSetDTO.init)])
        }
        api.post("/grant-sets") { request, context in
            let staff = try context.require(.admin)
            let body = try await JSONBody.decode(
                PublishBody.self, from: request, context: context, allowedKeys: ["applicationId", "displayName", "grants"])
            let applicationID: String
            if let given = body.applicationId {
                applicationID = given
            } else if let current = try await grantSets.current(logger: context.logger) {
                applicationID = current.applicationID.description
            } else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "applicationId is required for the first grant set",
                    details: ["field": "applicationId", "reason": DomainValidationError.Code.empty.rawValue])
            }
            let draft = GrantSetDraft(
                applicationID: applicationID, displayName: body.displayName,
                grants: body.grants.map { GrantSetDraft.Grant(enterpriseApplicationID: $0.enterpriseApplicationId, scope: $0.scope) })
            let valid: ValidGrantSetDraft
            do {
                valid = try draft.validated()
            } catch let error as DomainValidationError {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "\(error.field): \(error.message)",
                    details: ["field": error.field, "reason": error.code.rawValue])
            }
            let published = try await grantSets.publish(valid, actor: staff.actor, logger: context.logger)
            return try JSONBody.response(GrantSetDTO(published), status: .created)
        }
    }
}
