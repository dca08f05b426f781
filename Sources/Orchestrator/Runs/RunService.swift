import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// Runs as staff and the command line see them: create, steer, list and watch, with who may do
/// what decided here once for the API, the console and the CLI.
///
/// Operators create and steer grant runs. A revoke run takes every customer's consent in scope
/// away, so creating one needs an admin and the typed confirmation `revoke`, and so does pausing,
/// resuming or cancelling it: an operator who could cancel a revoke run could undo an admin's kill
/// switch halfway, or resume one an admin had paused. Reading needs a viewer.
public struct RunService: Sendable {
    let runs: RunRepository

    public init(runs: RunRepository) {
        self.runs = runs
    }

    /// The least role that may create or steer a run of `action`.
    public static func requiredRole(for action: RunAction) -> StaffRole {
        action == .revoke ? .admin : .operator
    }

    /// Creates a run for a staff member (API, console).
    public func create(_ request: RunRepository.Request, confirmation: String?, by staff: StaffMember, logger: Logger) async throws -> RunPlan {
        try staff.require(Self.requiredRole(for: request.action))
        return try await create(request, confirmation: confirmation, actor: staff.actor, logger: logger)
    }

    /// Creates a run for a caller already trusted with the database (`cpv regrant`, the drift
    /// schedule): no role to check, the confirmation rule still holds.
    public func create(_ request: RunRepository.Request, confirmation: String?, actor: String, logger: Logger) async throws -> RunPlan {
        if request.action == .revoke, confirmation != "revoke" { throw RunServiceError.confirmationRequired }
        return try await runs.create(request, actor: actor, logger: logger)
    }

    public func apply(_ command: RunCommand, runID: UUID, by staff: StaffMember, logger: Logger) async throws -> RunRecord {
        try staff.require(.operator)
        guard let run = try await runs.run(id: runID, logger: logger) else { throw RunStoreError.notFound(runID) }
        try staff.require(Self.requiredRole(for: run.action))
        return try await runs.apply(command, runID: runID, actor: staff.actor, logger: logger)
    }

    /// The most recent runs, newest first.
    public func recent(limit: Int = 50, logger: Logger) async throws -> [RunRecord] {
        try await runs.runs(limit: limit, logger: logger)
    }

    public func progress(id: UUID, logger: Logger) async throws -> RunProgress? {
        try await runs.progress(id: id, logger: logger)
    }

    /// A run's tasks (at most 500), in claim order, optionally of one status.
    public func tasks(runID: UUID, status: RunTaskStatus?, logger: Logger) async throws -> [RunTaskRecord] {
        try await runs.tasks(runID: runID, status: status, logger: logger)
    }
}

public enum RunServiceError: Error, Equatable, CustomStringConvertible {
    /// A revoke run without `"confirm": "revoke"`.
    case confirmationRequired

    public var description: String { "a revoke run needs \"confirm\": \"revoke\"" }
}
