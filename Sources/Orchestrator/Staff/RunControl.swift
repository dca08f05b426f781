import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// Who may create and steer runs, decided here once for the API, the console and the CLI.
///
/// Operators create and steer grant runs. A revoke run takes every customer's consent in scope
/// away, so creating one needs an admin and the typed confirmation `revoke`, and so does pausing,
/// resuming or cancelling it: an operator who could cancel a revoke run could undo an admin's kill
/// switch halfway, or resume one an admin had paused.
public struct RunControl: Sendable {
    let runs: RunRepository

    public init(runs: RunRepository) {
        self.runs = runs
    }

    /// The least role that may create or steer a run of `action`.
    public static func requiredRole(for action: RunAction) -> StaffRole {
        action == .revoke ? .admin : .operator
    }

    public func create(_ request: RunRepository.Request, confirmation: String?, by staff: StaffMember, logger: Logger) async throws -> RunPlan {
        try staff.require(Self.requiredRole(for: request.action))
        if request.action == .revoke, confirmation != "revoke" { throw RunControlError.confirmationRequired }
        return try await runs.create(request, actor: staff.actor, logger: logger)
    }

    public func apply(_ command: RunCommand, runID: UUID, by staff: StaffMember, logger: Logger) async throws -> RunRecord {
        try staff.require(.operator)
        guard let run = try await runs.run(id: runID, logger: logger) else { throw RunStoreError.notFound(runID) }
        try staff.require(Self.requiredRole(for: run.action))
        return try await runs.apply(command, runID: runID, actor: staff.actor, logger: logger)
    }
}

public enum RunControlError: Error, Equatable, CustomStringConvertible {
    /// A revoke run without `"confirm": "revoke"`.
    case confirmationRequired

    public var description: String { "a revoke run needs \"confirm\": \"revoke\"" }
}
