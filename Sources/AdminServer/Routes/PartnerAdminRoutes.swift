import ConsentStore
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/v1/partners/{id}/disable` (admin; audited as `partner.disabled` with the staff
/// actor). Body optional: `{"reason": "..."}`. Disabling a disabled partner is a no-op answering 200.
/// Wiring: `PartnerAdminRoutes(partners: services.partners).register(on: api)`.
public struct PartnerAdminRoutes: Sendable {
    let partners: PartnerRepository

    public init(partners: PartnerRepository) {
        self.partners = partners
    }

    struct DisableBody: Decodable {
        let reason: String?
    }

    struct DisabledDTO: Encodable {
        let id: String
        let status: String
        let previousStatus: String
        let changed: Bool
    }

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.post("/partners/{id}/disable") { request, context in
            let staff = try context.require(.admin)
            guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
                throw APIError(.badRequest, code: "invalid_partner_id", message: "the partner id must be a UUID")
            }
            let reason = try await Self.reason(request, context: context)
            guard let outcome = try await partners.disable(partnerID: id, reason: reason, actor: staff.actor, logger: context.logger) else {
                throw APIError.notFound("no partner \(id.guidText)")
            }
            return try JSONBody.response(
                DisabledDTO(id: id.guidText, status: "disabled", previousStatus: outcome.previousStatus, changed: outcome.changed))
        }
    }

    /// An empty body means no reason; otherwise a JSON object with at most `reason`.
    static func reason(_ request: Request, context: AppRequestContext) async throws -> String? {
        let body = try await JSONBody.decodeOptional(DisableBody.self, from: request, context: context, allowedKeys: ["reason"])
        if let reason = body?.reason, reason.count > 512 {
            throw APIError(.badRequest, code: "invalid_reason", message: "reason is longer than 512 characters", details: ["field": "reason"])
        }
        return body?.reason
    }
}
