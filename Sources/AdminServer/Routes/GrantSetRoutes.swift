import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/v1/grant-sets` (every version, newest first) and `POST /api/v1/grant-sets` (publish
/// the next version). Wiring: `GrantSetRoutes(grantSets: GrantSetRepository(client: postgres)).register(on: router)`.
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

    public func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/grant-sets") { _, context in
            let sets = try await grantSets.all(logger: context.logger)
            return APIJSON.response(["items": sets.map(GrantSetDTO.init)], status: .ok)
        }
        router.post("/api/v1/grant-sets") { request, context in
            let body: PublishBody
            do {
                body = try await request.decode(as: PublishBody.self, context: context)
            } catch {
                throw APIError(.badRequest, code: "invalid_body", message: "the body must be a JSON grant set: {displayName, grants: [{enterpriseApplicationId, scope}]}")
            }
            let applicationID: String
            if let given = body.applicationId {
                applicationID = given
            } else if let current = try await grantSets.current(logger: context.logger) {
                applicationID = current.applicationID.description
            } else {
                throw APIError(.unprocessableContent, code: "validation_failed", message: "applicationId is required for the first grant set", details: ["field": "applicationId"])
            }
            let draft = GrantSetDraft(
                applicationID: applicationID, displayName: body.displayName,
                grants: body.grants.map { GrantSetDraft.Grant(enterpriseApplicationID: $0.enterpriseApplicationId, scope: $0.scope) })
            let valid: ValidGrantSetDraft
            do {
                valid = try draft.validated()
            } catch let error as DomainValidationError {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: error.message,
                    details: ["field": error.field, "reason": error.code.rawValue])
            }
            let published = try await grantSets.publish(valid, actor: "staff:api", logger: context.logger)
            return APIJSON.response(GrantSetDTO(published), status: .created)
        }
    }
}

/// JSON responses of the admin API: ISO 8601 dates, sorted keys.
enum APIJSON {
    static func response(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
