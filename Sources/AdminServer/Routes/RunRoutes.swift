import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

/// Durable runs (docs/runs.md): `POST /api/v1/runs`, `GET /api/v1/runs`, `GET /api/v1/runs/{id}`,
/// `POST /api/v1/runs/{id}/pause|resume|cancel`, `GET /api/v1/runs/{id}/tasks?status=`.
/// Creating and steering need `operator`; a revoke run needs `admin` (and `"confirm": "revoke"`
/// to create it), to create and to steer alike: the rules are `RunService`'s. Routes decode, call
/// the service and map its records to DTOs.
/// Wiring: `RunRoutes(service: services.runService).register(on: api)`.
public struct RunRoutes: Sendable {
    let service: RunService

    public init(service: RunService) {
        self.service = service
    }

    struct CreateBody: Decodable {
        let scope: RunScope
        let dryRun: Bool?
        let maxConcurrency: Int?
        let action: RunAction?
        let confirm: String?
    }

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.post("/runs") { request, context in
            // Below operator nothing is allowed, whatever the body says: refuse before reading it.
            _ = try context.require(.operator)
            let body = try await JSONBody.decode(
                CreateBody.self, from: request, context: context,
                allowedKeys: ["scope", "dryRun", "maxConcurrency", "action", "confirm"])
            let action = body.action ?? .grant
            let staff = try context.require(.operator)
            // The column is an int4; anything above this cap is a typo, and above Int32 it would trap.
            if let concurrency = body.maxConcurrency, !(1...Self.maxConcurrency).contains(concurrency) {
                throw APIError(
                    .badRequest, code: "invalid_max_concurrency", message: "maxConcurrency must be from 1 to \(Self.maxConcurrency)")
            }
            do {
                let plan = try await service.create(
                    .init(scope: body.scope, action: action, dryRun: body.dryRun ?? false, maxConcurrency: body.maxConcurrency),
                    confirmation: body.confirm, by: staff, logger: context.logger)
                return try JSONBody.response(RunPlanDTO(plan), status: .created)
            } catch let error as RunStoreError {
                throw Self.apiError(error)
            } catch RunServiceError.confirmationRequired {
                throw APIError(.badRequest, code: "confirmation_required", message: RunServiceError.confirmationRequired.description)
            }
        }
        api.get("/runs") { _, context in
            _ = try context.require(.viewer)
            return try JSONBody.response(["runs": try await service.recent(logger: context.logger).map(RunDTO.init)])
        }
        api.get("/runs/{id}") { _, context in
            _ = try context.require(.viewer)
            let id = try Self.runID(context)
            guard let progress = try await service.progress(id: id, logger: context.logger) else {
                throw APIError.notFound("no run \(id.guidText)")
            }
            return try JSONBody.response(RunProgressDTO(progress))
        }
        api.get("/runs/{id}/tasks") { request, context in
            _ = try context.require(.viewer)
            let id = try Self.runID(context)
            var status: RunTaskStatus?
            if let raw = request.uri.queryParameters.get("status") {
                guard let parsed = RunTaskStatus(rawValue: raw) else {
                    throw APIError(.badRequest, code: "invalid_status", message: "unknown task status \(raw)")
                }
                status = parsed
            }
            return try JSONBody.response(["tasks": try await service.tasks(runID: id, status: status, logger: context.logger).map(RunTaskDTO.init)])
        }
        for command in [RunCommand.pause, .resume, .cancel] {
            api.post("/runs/{id}/\(command.rawValue)") { _, context in
                let staff = try context.require(.operator)
                let id = try Self.runID(context)
                do {
                    return try JSONBody.response(RunDTO(try await service.apply(command, runID: id, by: staff, logger: context.logger)))
                } catch let error as RunStoreError {
                    throw Self.apiError(error)
                }
            }
        }
    }

    /// The most tasks of one run in flight at once that a request may ask for.
    static let maxConcurrency = 10_000

    static func runID(_ context: AppRequestContext) throws -> UUID {
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw APIError(.badRequest, code: "invalid_run_id", message: "the run id must be a UUID")
        }
        return id
    }

    static func apiError(_ error: RunStoreError) -> APIError {
        switch error {
        case .notFound(let id): APIError.notFound("no run \(id.guidText)")
        case .transition(let transition): APIError(.conflict, code: transition.code, message: transition.description)
        case .noGrantSet: APIError(.conflict, code: "no_grant_set", message: error.description)
        case .corruptRow, .corruptTask: APIError.internalError
        }
    }
}
