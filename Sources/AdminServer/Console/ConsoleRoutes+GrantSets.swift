import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// Grant sets: current version and history (viewer); preview and publish (admin, as in the API).
    func registerGrantSets(on console: RouterGroup<AppRequestContext>) {
        console.get("grant-sets") { request, context in
            _ = try context.require(.viewer)
            let sets = try await services.grantSets.all(logger: context.logger)
            let page = GrantSetsPage(chrome: try chrome(context, "Grant sets", .grantSets, notice: Self.notice(request)), sets: sets)
            return try pages.render("console/grant-sets", page)
        }
        // `intent=preview` shows the diff and keeps the draft in the form; `intent=publish` saves it.
        console.post("grant-sets") { request, context in
            let staff = try context.require(.admin)
            let (form, _) = try await ConsoleForm.read(request)
            let sets = try await services.grantSets.all(logger: context.logger)
            let current = sets.max { $0.version < $1.version }
            let name = form.text("displayName") ?? ""
            let text = form["grants"] ?? ""
            func page(preview: GrantSetDiff? = nil, error: String? = nil, status: HTTPResponse.Status) throws -> Response {
                let model = GrantSetsPage(
                    chrome: try chrome(context, "Grant sets", .grantSets), sets: sets, draftName: name, draftGrants: text, preview: preview,
                    error: error)
                return try pages.render("console/grant-sets", model, status: status)
            }
            guard let applicationID = form.text("applicationId") ?? current?.applicationID.description else {
                return try page(error: "The application id is required for the first grant set.", status: .unprocessableContent)
            }
            let valid: ValidGrantSetDraft
            do {
                let grants = try GrantSetsPage.parse(text)
                valid = try GrantSetDraft(applicationID: applicationID, displayName: name, grants: grants).validated()
            } catch let error as GrantSetsPage.GrantTextError {
                return try page(error: "Each line must read resource-application-id: scope,scope — this one does not: \(error.line)", status: .unprocessableContent)
            } catch let error as DomainValidationError {
                return try page(error: "\(error.field): \(error.message).", status: .unprocessableContent)
            }
            if form["intent"] != "publish" {
                return try page(preview: GrantSetDiff(from: current?.grants, to: valid.grants), status: .ok)
            }
            let published = try await services.grantSets.publish(valid, actor: staff.actor, logger: context.logger)
            return Response.redirect(to: "/console/grant-sets?done=published&version=\(published.version)", type: .normal)
        }
    }
}
