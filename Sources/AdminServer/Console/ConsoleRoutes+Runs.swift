import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

extension ConsoleRoutes {
    /// Runs: list, detail and live progress (viewer); create, pause, resume, cancel (operator);
    /// a revoke run needs admin and the typed confirmation, as in the API.
    func registerRuns(on console: RouterGroup<AppRequestContext>) {
        console.get("runs") { request, context in
            _ = try context.require(.viewer)
            let runs = try await services.runService.recent(limit: 100, logger: context.logger)
            let page = RunsPage(
                chrome: try chrome(context, "Runs", .runs, notice: Self.notice(request)), runs: runs, partners: try await partnerNames(context))
            return try pages.render("console/runs", page)
        }
        console.get("runs/new") { _, context in
            _ = try context.require(.operator)
            let page = NewRunPage(chrome: try chrome(context, "Start a run", .runs), partners: try await partnerNames(context))
            return try pages.render("console/run-new", page)
        }
        console.post("runs") { request, context in
            let (form, _) = try await ConsoleForm.read(request)
            let action: RunAction = form["action"] == "revoke" ? .revoke : form["mode"] == "reconcile" ? .reconcile : .grant
            let staff = try context.require(RunService.requiredRole(for: action))
            let scopeChoice = form["scope"] ?? ""
            let dryRun = form["dryRun"] == "true"
            func refused(_ message: String) async throws -> Response {
                let page = NewRunPage(
                    chrome: try chrome(context, "Start a run", .runs), partners: try await partnerNames(context), scope: scopeChoice,
                    dryRun: dryRun, reconcile: action == .reconcile, error: message)
                return try pages.render("console/run-new", page, status: .unprocessableContent)
            }
            let scope: RunScope
            switch scopeChoice {
            case "all": scope = .all
            case "drift": scope = .drift
            case "partner":
                guard let id = form.text("partnerId").flatMap(UUID.init(uuidString:)) else { return try await refused("Choose a partner.") }
                scope = .partnerIDs([id])
            case "states":
                let states = form.all("states").compactMap(ConsentState.init(rawValue:))
                guard !states.isEmpty else { return try await refused("Choose at least one consent state.") }
                scope = .states(states)
            default:
                return try await refused("Choose which customers the run covers.")
            }
            do {
                let plan = try await services.runService.create(
                    .init(scope: scope, action: action, dryRun: dryRun, maxConcurrency: nil), confirmation: form.text("confirm"), by: staff,
                    logger: context.logger)
                return Response.redirect(to: "/console/runs/\(ConsoleFormat.id(plan.run.id))?done=run-created", type: .normal)
            } catch RunServiceError.confirmationRequired {
                return try await refused("A revoke run takes the consent away from every customer in scope: type revoke to confirm.")
            } catch RunStoreError.noGrantSet {
                return try await refused("No grant set is published yet. Publish one under Grant sets first.")
            }
        }
        console.get("runs/{id}") { request, context in
            _ = try context.require(.viewer)
            let progress = try await runProgress(context)
            let page = RunPage(
                chrome: try chrome(context, "Run \(ConsoleFormat.shortID(progress.run.id))", .runs, notice: Self.notice(request)),
                progress: progress, partners: try await partnerNames(context))
            return try pages.render("console/run", page)
        }
        // The fragment the run page's script polls: same session, same role, no full reload.
        console.get("runs/{id}/progress") { _, context in
            _ = try context.require(.viewer)
            let progress = try await runProgress(context)
            return try pages.render("console/run-progress", RunProgressView(progress, chrome: try chrome(context, "", .runs)))
        }
        for command in [RunCommand.pause, .resume, .cancel] {
            console.post("runs/{id}/\(command.rawValue)") { _, context in
                let staff = try context.require(.operator)
                let id = try Self.uuid(context, "run")
                do {
                    _ = try await services.runService.apply(command, runID: id, by: staff, logger: context.logger)
                } catch RunStoreError.notFound {
                    throw ConsoleError.notFound("There is no such run.")
                } catch RunStoreError.transition(let transition) {
                    throw ConsoleError.conflict("The run cannot be \(command.pastTense) now: \(transition.description).")
                }
                return Response.redirect(to: "/console/runs/\(ConsoleFormat.id(id))?done=run-\(command.rawValue)", type: .normal)
            }
        }
    }

    private func runProgress(_ context: AppRequestContext) async throws -> RunProgress {
        let id = try Self.uuid(context, "run")
        guard let progress = try await services.runService.progress(id: id, logger: context.logger) else {
            throw ConsoleError.notFound("There is no run \(ConsoleFormat.id(id)). See the run list.")
        }
        return progress
    }
}

extension RunCommand {
    var pastTense: String {
        switch self {
        case .start: "started"
        case .pause: "paused"
        case .resume: "resumed"
        case .cancel: "cancelled"
        case .complete: "completed"
        }
    }
}
