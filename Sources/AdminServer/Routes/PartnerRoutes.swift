import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

/// `/api/v1/partners`: registration, reads, the live verification and consent invitations.
struct PartnerRoutes {
    let partners: PartnerRepository
    let invitations: ConsentInvitations
    let verifier: PartnerVerifier

    struct InvitationBody: Decodable {
        let purpose: String
        let expiresInDays: Int?
    }

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
                let (partner, issued) = try await invitations.register(registration, by: staff, logger: context.logger)
                return try JSONBody.response(PartnerDTO(partner, consentURL: issued.url.revealed), status: .created)
            } catch PartnerStoreError.duplicateTenant(let tenant) {
                throw APIError(
                    .conflict, code: "duplicate_partner", message: "a partner with tenant id \(tenant) is already registered",
                    details: ["tenantId": tenant.description])
            }
        }
        api.get("/partners") { _, context in
            _ = try context.require(.viewer)
            let all = try await partners.allPartners(logger: context.logger)
            return try JSONBody.response(["items": all.map { PartnerDTO($0) }])
        }
        api.get("/partners/{id}") { _, context in
            _ = try context.require(.viewer)
            let partner = try await partner(context)
            return try JSONBody.response(PartnerDTO(partner))
        }
        api.get("/partners/{id}/verify") { _, context in
            _ = try context.require(.operator)
            let partner = try await partner(context)
            let report = await verifier.verify(partner, logger: context.logger)
            return try JSONBody.response(report)
        }
        api.post("/partners/{id}/invitations") { request, context in
            let staff = try context.require(.operator)
            let partner = try await partner(context)
            let body = try await JSONBody.decode(InvitationBody.self, from: request, context: context, allowedKeys: ["purpose", "expiresInDays"])
            guard let purpose = ConsentPurpose(rawValue: body.purpose) else {
                throw APIError(.badRequest, code: "invalid_purpose", message: "purpose must be onboarding or reconsent", details: ["field": "purpose"])
            }
            do {
                let issued = try await invitations.issue(
                    partnerID: partner.id, purpose: purpose, lifetimeDays: body.expiresInDays, by: staff, logger: context.logger)
                return try JSONBody.response(InvitationDTO(issued.invitation, url: issued.url), status: .created)
            } catch let error as ConsentInvitationLifetimeError {
                throw APIError(.badRequest, code: "invalid_expires_in_days", message: error.description, details: ["field": "expiresInDays"])
            } catch let error as ConsentInvitationError {
                throw Self.apiError(error)
            }
        }
        api.get("/partners/{id}/invitations") { _, context in
            let staff = try context.require(.viewer)
            let partner = try await partner(context)
            let all = try await invitations.list(partnerID: partner.id, by: staff, logger: context.logger)
            return try JSONBody.response(["items": all.map { InvitationDTO($0) }])
        }
        api.post("/partners/{id}/invitations/{invitationId}/revoke") { _, context in
            let staff = try context.require(.operator)
            let partner = try await partner(context)
            guard let raw = context.parameters.get("invitationId"), let invitationID = Int64(raw), invitationID > 0 else {
                throw APIError(.badRequest, code: "invalid_invitation_id", message: "the invitation id must be a positive integer")
            }
            do {
                guard let revoked = try await invitations.revoke(partnerID: partner.id, invitationID: invitationID, by: staff, logger: context.logger)
                else {
                    throw APIError.notFound("no invitation \(invitationID) of this partner")
                }
                return try JSONBody.response(InvitationDTO(revoked))
            } catch let error as ConsentInvitationError {
                throw Self.apiError(error)
            }
        }
    }

    static func apiError(_ error: ConsentInvitationError) -> APIError {
        switch error {
        case .partnerNotFound: return APIError.notFound(error.description)
        case .purposeDoesNotFit(_, let status):
            return APIError(
                .conflict, code: status == .disabled ? "partner_disabled" : "purpose_does_not_fit", message: error.description,
                details: ["status": status.rawValue])
        case .notOpen(let state): return APIError(.conflict, code: "invitation_not_open", message: error.description, details: ["state": state.rawValue])
        case .corruptRow: return APIError.internalError
        }
    }

    private func partner(_ context: AppRequestContext) async throws -> Partner {
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError(.badRequest, code: "invalid_partner_id", message: "the partner id must be a UUID")
        }
        guard let partner = try await partners.partner(id: id, logger: context.logger) else {
            throw APIError.notFound("no partner \(id.guidText)")
        }
        return partner
    }
}
