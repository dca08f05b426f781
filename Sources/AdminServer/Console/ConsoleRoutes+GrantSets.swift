import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

extension ConsoleRoutes {
    /// Grant sets: current version, history and the open proposal (viewer); preview and propose,
    /// approve (a second admin) or reject (admin), as in the API, by `GrantSetPublishing`'s rules.
    func registerGrantSets(on console: RouterGroup<AppRequestContext>) {
        console.get("grant-sets") { request, context in
            let staff = try context.require(.viewer)
            let sets = try await services.grantSets.all(logger: context.logger)
            let page = GrantSetsPage(
                chrome: try chrome(context, "Grant sets", .grantSets, notice: Self.notice(request)), sets: sets,
                pending: try await pendingProposal(context), staff: staff)
            return try pages.render("console/grant-sets", page)
        }
        console.post("grant-sets/proposals/{id}/approve") { _, context in
            let staff = try context.require(.admin)
            let id = try Self.proposalID(context)
            do {
                let (_, published) = try await services.grantSetPublishing.approve(id, by: staff, logger: context.logger)
                return Response.redirect(to: "/console/grant-sets?done=published&version=\(published.version)", type: .normal)
            } catch let error as GrantSetProposalError {
                throw ConsoleError.conflict("The proposal was not approved: \(error.description).")
            } catch let error as GrantCeilingExceeded {
                throw ConsoleError.conflict("The proposal was not approved: it is \(error.description).")
            }
        }
        console.post("grant-sets/proposals/{id}/reject") { _, context in
            let staff = try context.require(.admin)
            let id = try Self.proposalID(context)
            do {
                _ = try await services.grantSetPublishing.reject(id, reason: nil, by: staff, logger: context.logger)
            } catch let error as GrantSetProposalError {
                throw ConsoleError.conflict("The proposal was not rejected: \(error.description).")
            }
            return Response.redirect(to: "/console/grant-sets?done=rejected", type: .normal)
        }
        // `intent=preview` shows the diff and keeps the draft in the form; `intent=publish` saves it.
        console.post("grant-sets") { request, context in
            let staff = try context.require(.admin)
            let (form, _) = try await ConsoleForm.read(request)
            let sets = try await services.grantSets.all(logger: context.logger)
            let pending = try await pendingProposal(context)
            let current = sets.max { $0.version < $1.version }
            let name = form.text("displayName") ?? ""
            let text = form["grants"] ?? ""
            func page(preview: GrantSetDiff? = nil, error: String? = nil, status: HTTPResponse.Status) throws -> Response {
                let model = GrantSetsPage(
                    chrome: try chrome(context, "Grant sets", .grantSets), sets: sets, pending: pending, staff: staff, draftName: name,
                    draftGrants: text, preview: preview, error: error)
                return try pages.render("console/grant-sets", model, status: status)
            }
            guard let applicationID = form.text("applicationId") ?? current?.applicationID.description else {
                return try page(error: "The application id is required for the first grant set.", status: .unprocessableContent)
            }
            let draft: GrantSetDraft
            let valid: ValidGrantSetDraft
            do {
                draft = GrantSetDraft(applicationID: applicationID, displayName: name, grants: try GrantSetsPage.parse(text))
                valid = try draft.validated()
            } catch let error as GrantSetsPage.GrantTextError {
                return try page(error: "Each line must read resource-application-id: scope,scope — this one does not: \(error.line)", status: .unprocessableContent)
            } catch let error as DomainValidationError {
                return try page(error: "\(error.field): \(error.message).", status: .unprocessableContent)
            }
            if form["intent"] != "publish" {
                return try page(preview: GrantSetDiff(from: current?.grants, to: valid.grants), status: .ok)
            }
            do {
                _ = try await services.grantSetPublishing.propose(draft, by: staff, logger: context.logger)
            } catch let error as GrantCeilingExceeded {
                return try page(error: "This grant set is \(error.description).", status: .unprocessableContent)
            } catch let error as GrantSetProposalError {
                return try page(error: error.description + ".", status: .conflict)
            }
            return Response.redirect(to: "/console/grant-sets?done=proposed", type: .normal)
        }
    }

    private func pendingProposal(_ context: AppRequestContext) async throws -> GrantSetProposal? {
        try await services.grantSetPublishing.recent(logger: context.logger).first { $0.status == .pending }
    }

    static func proposalID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
            throw ConsoleError.notFound("There is no such grant set proposal.")
        }
        return id
    }
}
