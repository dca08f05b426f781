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
                let partner = try await services.partners.register(valid, actor: staff.actor, logger: context.logger)
                return Response.redirect(to: "/console/partners/\(ConsoleFormat.id(partner.id))?done=partner-added", type: .normal)
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
        console.post("partners/{id}/sync") { _, context in
            let staff = try context.require(.operator)
            let id = try Self.uuid(context, "partner")
            do {
                let summary = try await services.customerSync().sync(partnerID: id, actor: staff.actor, logger: context.logger)
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

    private func partnerPage(_ request: Request, _ context: AppRequestContext, verification: PartnerVerifier.Report?) async throws -> Response {
        let partner = try await partner(context)
        let customers = try await customerQuery.list(
            CustomerFilter(partnerID: partner.id, removed: false, limit: Self.partnerCustomersShown), logger: context.logger)
        let events = try await auditQuery.search(AuditFilter(partnerID: partner.id, limit: Self.partnerEventsShown), logger: context.logger)
        let page = PartnerPage(
            chrome: try chrome(context, partner.displayName, .partners, notice: Self.notice(request)), partner: partner,
            consentURL: services.onboarding.consentURL(partnerID: partner.id), customers: customers, events: events,
            verification: verification, now: Date())
        return try pages.render("console/partner", page)
    }
}
