import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

extension ConsoleRoutes {
    static let partnerCustomersShown = 25
    static let partnerEventsShown = 20

    /// Partners: list (viewer), add (admin), detail (viewer), verify and sync (operator).
    func registerPartners(on console: RouterGroup<AppRequestContext>) {
        console.get("partners") { request, context in
            _ = try context.require(.viewer)
            let partners = try await partnerNames(context)
            let coverage = try await ConsentCoverageReport.run(client: services.database, logger: context.logger)
            let page = PartnersPage(
                chrome: try chrome(context, "Partners", .partners, notice: Self.notice(request)), partners: partners,
                counts: PartnersPage.counts(coverage), now: Date())
            return try pages.render("console/partners", page)
        }
        console.get("partners/new") { _, context in
            _ = try context.require(.admin)
            return try pages.render("console/partner-new", NewPartnerPage(chrome: try chrome(context, "Add a partner", .partners)))
        }
        console.post("partners") { request, context in
            let staff = try context.require(.admin)
            let (form, _) = try await ConsoleForm.read(request)
            let registration = PartnerRegistration(
                tenantId: form.text("tenantId") ?? "", displayName: form.text("displayName") ?? "", cloud: form.text("cloud") ?? "global")
            func refused(_ message: String) throws -> Response {
                let page = NewPartnerPage(
                    chrome: try chrome(context, "Add a partner", .partners), tenantID: registration.tenantId,
                    displayName: registration.displayName, cloud: registration.cloud, error: message)
                return try pages.render("console/partner-new", page, status: .unprocessableContent)
            }
            let valid: NewPartner
            do {
                valid = try registration.validated()
            } catch let error as DomainValidationError {
                let field = ["tenantId": "Tenant id", "displayName": "Display name", "cloud": "Cloud"][error.field] ?? error.field
                return try refused("\(field) \(error.message).")
            }
            do {
                // The first invitation's link is shown on the answer itself (no redirect): it is in
                // no address, history or log, and never shown again.
                let (partner, issued) = try await services.invitations.register(valid, by: staff, logger: context.logger)
                return try await partnerPage(request, context, partnerID: partner.id, newInvitation: issued, verification: nil)
            } catch PartnerStoreError.duplicateTenant(let tenant) {
                return try refused("A partner with tenant id \(tenant) is already registered.")
            }
        }
        console.get("partners/{id}") { request, context in
            _ = try context.require(.viewer)
            return try await partnerPage(request, context, verification: nil)
        }
        console.post("partners/{id}/verify") { request, context in
            _ = try context.require(.operator)
            let partner = try await partner(context)
            let report = await services.verifier.verify(partner, logger: context.logger)
            return try await partnerPage(request, context, verification: report)
        }
        console.post("partners/{id}/invitations") { request, context in
            let staff = try context.require(.operator)
            let partner = try await partner(context)
            let (form, _) = try await ConsoleForm.read(request)
            guard let purpose = form.text("purpose").flatMap(ConsentPurpose.init(rawValue:)) else {
                throw ConsoleError.badRequest("Choose what the invitation is for.")
            }
            do {
                let issued = try await services.invitations.issue(
                    partnerID: partner.id, purpose: purpose, lifetimeDays: nil, by: staff, logger: context.logger)
                return try await partnerPage(request, context, partnerID: partner.id, newInvitation: issued, verification: nil)
            } catch let error as ConsentInvitationError {
                throw ConsoleError.conflict("No invitation was issued: \(error.description).")
            }
        }
        console.post("partners/{id}/invitations/{invitationId}/revoke") { _, context in
            let staff = try context.require(.operator)
            let partner = try await partner(context)
            guard let invitationID = context.parameters.get("invitationId").flatMap({ Int64($0) }) else {
                throw ConsoleError.notFound("There is no such invitation.")
            }
            do {
                guard try await services.invitations.revoke(partnerID: partner.id, invitationID: invitationID, by: staff, logger: context.logger) != nil
                else {
                    throw ConsoleError.notFound("There is no such invitation.")
                }
            } catch let error as ConsentInvitationError {
                throw ConsoleError.conflict("The invitation was not revoked: \(error.description).")
            }
            return Response.redirect(to: "/console/partners/\(ConsoleFormat.id(partner.id))?done=invitation-revoked", type: .normal)
        }
        console.post("partners/{id}/sync") { _, context in
            let staff = try context.require(.operator)
            let id = try Self.uuid(context, "partner")
            do {
                let summary = try await services.customerSync.sync(partnerID: id, actor: staff.actor, logger: context.logger)
                return Response.redirect(
                    to: "/console/partners/\(ConsoleFormat.id(id))?done=synced&added=\(summary.added)&updated=\(summary.updated)&removed=\(summary.removed)",
                    type: .normal)
            } catch let error as CustomerSyncError {
                switch error {
                case .partnerNotFound: throw ConsoleError.notFound("There is no such partner.")
                case .partnerNotActive:
                    throw ConsoleError.conflict("Only an active partner can be synced. Send the consent link to the partner's admin first.")
                default:
                    // The code, not the description: upstream text stays in the log.
                    context.logger.warning("console sync failed", metadata: ["cpv.error": "\(error.description)"])
                    throw ConsoleError.conflict("The sync did not finish (\(error.code)). Partner Center may be unavailable; try again later.")
                }
            }
        }
    }

    private func partner(_ context: AppRequestContext) async throws -> Partner {
        let id = try Self.uuid(context, "partner")
        guard let partner = try await services.partners.partner(id: id, logger: context.logger) else {
            throw ConsoleError.notFound("There is no partner \(ConsoleFormat.id(id)). It may have been removed; see the partner list.")
        }
        return partner
    }

    private func partnerPage(
        _ request: Request, _ context: AppRequestContext, partnerID: UUID? = nil, newInvitation: ConsentInvitations.Issued? = nil,
        verification: PartnerVerifier.Report?
    ) async throws -> Response {
        let partner: Partner
        if let partnerID, let found = try await services.partners.partner(id: partnerID, logger: context.logger) {
            partner = found
        } else {
            partner = try await self.partner(context)
        }
        let staff = try context.require(.viewer)
        let invitations = try await services.invitations.list(partnerID: partner.id, by: staff, logger: context.logger)
        let customers = try await customerQuery.list(
            CustomerFilter(partnerID: partner.id, removed: false, limit: Self.partnerCustomersShown), logger: context.logger)
        let events = try await auditQuery.search(AuditFilter(partnerID: partner.id, limit: Self.partnerEventsShown), logger: context.logger)
        let page = PartnerPage(
            chrome: try chrome(context, partner.displayName, .partners, notice: newInvitation == nil ? Self.notice(request) : nil),
            partner: partner, invitations: invitations, newInvitation: newInvitation, customers: customers, events: events,
            verification: verification, now: Date())
        return try pages.render("console/partner", page)
    }
}
