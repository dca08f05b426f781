import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

/// `/api/v1/partners`: registration, reads and the live verification.
struct PartnerRoutes {
    let partners: PartnerRepository
    let onboarding: PartnerOnboarding
    let verifier: PartnerVerifier

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("/partners") { request, context in
            let staff = try context.require(.admin)
            let body = try await JSONBody.decode(
                PartnerRegistration.self, from: request, context: context, allowedKeys: ["tenantId", "displayName", "cloud"])
            let registration: NewPartner
            do {
                registration = try body.validated()
            } catch let error as DomainValidationError {
                let code = ["tenantId": "invalid_tenant_id", "displayName": "invalid_display_name", "cloud": "unknown_cloud"][error.field] ?? "invalid_field"
                throw APIError(
                    .badRequest, code: code, message: "\(error.field): \(error.message)",
                    details: ["field": error.field, "reason": error.code.rawValue])
            }
            do {
                let partner = try await partners.register(registration, actor: staff.actor, logger: context.logger)
                return try JSONBody.response(PartnerDTO(partner, consentURL: onboarding.consentURL(partnerID: partner.id)), status: .created)
            } catch PartnerStoreError.duplicateTenant(let tenant) {
                throw APIError(
                    .conflict, code: "duplicate_partner", message: "a partner with tenant id \(tenant) is already registered",
                    details: ["tenantId": tenant.description])
            }
        }
        api.get("/partners") { _, context in
            _ = try context.require(.viewer)
            let all = try await partners.allPartners(logger: context.logger)
            return try JSONBody.response(["items": all.map { PartnerDTO($0, consentURL: onboarding.consentURL(partnerID: $0.id)) }])
        }
        api.get("/partners/{id}") { _, context in
            _ = try context.require(.viewer)
            let partner = try await partner(context)
            return try JSONBody.response(PartnerDTO(partner, consentURL: onboarding.consentURL(partnerID: partner.id)))
        }
        api.get("/partners/{id}/verify") { _, context in
            _ = try context.require(.operator)
            let partner = try await partner(context)
            let report = await verifier.verify(partner, logger: context.logger)
            return try JSONBody.response(report)
        }
    }

    private func partner(_ context: AppRequestContext) async throws -> Partner {
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError(.badRequest, code: "invalid_partner_id", message: "the partner id must be a UUID")
        }
        guard let partner = try await partners.partner(id: id, logger: context.logger) else {
            throw APIError.notFound("no partner \(id.uuidString.lowercased())")
        }
        return partner
    }
}
