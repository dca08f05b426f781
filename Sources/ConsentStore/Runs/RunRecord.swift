import ConsentDomain
import Foundation

/// One row of `runs`.
public struct RunRecord: Sendable, Equatable, Codable {
    public var id: UUID
    public var action: RunAction
    public var scope: RunScope
    public var grantSetVersion: Int?
    public var dryRun: Bool
    public var maxConcurrency: Int?
    public var status: RunStatus
    public var requestedBy: String
    public var totalTasks: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    static let columns = ColumnList(
        "id", "action", "scope::text AS scope", "grant_set_version", "dry_run", "max_concurrency", "status",
        "requested_by", "total_tasks", "created_at", "started_at", "finished_at"
    ).sql

    static func decode(_ row: NamedRow) throws -> RunRecord {
        let id: UUID = try row("id")
        guard let action = RunAction(rawValue: try row("action")), let status = RunStatus(rawValue: try row("status")) else {
            throw RunStoreError.corruptRow(id)
        }
        let scope = try JSONDecoder().decode(RunScope.self, from: Data(try row("scope", as: String.self).utf8))
        return RunRecord(
            id: id, action: action, scope: scope, grantSetVersion: try row("grant_set_version", as: Int32?.self).map(Int.init),
            dryRun: try row("dry_run"), maxConcurrency: try row("max_concurrency", as: Int32?.self).map(Int.init),
            status: status, requestedBy: try row("requested_by"), totalTasks: Int(try row("total_tasks", as: Int32.self)),
            createdAt: try row("created_at"), startedAt: try row("started_at"), finishedAt: try row("finished_at"))
    }
}

/// What creating a run planned: the run, how many tasks will run and how many start `blocked`.
public struct RunPlan: Sendable, Equatable, Codable {
    public var run: RunRecord
    /// Customers that get a task (pending or blocked); for a dry run, the ones that would.
    public var planned: Int
    /// Of those, customers of a partner that is not active: they wait for the partner's re-consent.
    public var blocked: Int
    /// Of those, customers left without any consent, scheduled first.
    public var missing: Int
}

/// A run with what staff watch while it runs.
public struct RunProgress: Sendable, Equatable, Codable {
    public var run: RunRecord
    /// Tasks by `RunTaskStatus` raw value; absent statuses are zero.
    public var counts: [String: Int]
    /// Tasks finished in the last minute, per second.
    public var ratePerSecond: Double
    /// Seconds until the unfinished tasks are done at the current rate; nil when nothing moves.
    public var etaSeconds: Double?
    /// Failed and blocked tasks by their last error code.
    public var failures: [String: Int]
    /// Failed and blocked tasks by failure class (transient, customer, partner, internal).
    public var failureClasses: [String: Int] = [:]

    public var finished: Int {
        RunTaskStatus.allCases.filter(\.isFinished).reduce(0) { $0 + (counts[$1.rawValue] ?? 0) }
    }
}

/// One row of `run_tasks`, as the API lists them.
public struct RunTaskRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var runID: UUID
    public var customerID: Int64
    public var partnerID: UUID
    public var priority: Int
    public var status: RunTaskStatus
    public var attempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var nextAttemptAt: Date
    public var lastErrorCode: String?
    public var lastError: String?
    /// What kind of failure the last error was (transient, customer, partner, internal).
    public var failureClass: FailureClass?
    public var finishedAt: Date?

    static let columns = ColumnList(
        "id", "run_id", "customer_id", "partner_id", "priority", "status", "attempts", "lease_owner", "lease_expires_at",
        "next_attempt_at", "last_error_code", "last_error", "failure_class", "finished_at"
    ).sql

    static func decode(_ row: NamedRow) throws -> RunTaskRecord {
        let id: Int64 = try row("id")
        guard let status = RunTaskStatus(rawValue: try row("status")) else { throw RunStoreError.corruptTask(id) }
        return RunTaskRecord(
            id: id, runID: try row("run_id"), customerID: try row("customer_id"), partnerID: try row("partner_id"),
            priority: Int(try row("priority", as: Int16.self)), status: status, attempts: Int(try row("attempts", as: Int32.self)),
            leaseOwner: try row("lease_owner"), leaseExpiresAt: try row("lease_expires_at"),
            nextAttemptAt: try row("next_attempt_at"), lastErrorCode: try row("last_error_code"),
            lastError: try row("last_error"), failureClass: try row("failure_class", as: String?.self).flatMap(FailureClass.init(rawValue:)),
            finishedAt: try row("finished_at"))
    }
}

/// Why a run operation was refused by the store.
public enum RunStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(UUID)
    case corruptRow(UUID)
    case corruptTask(Int64)
    case transition(RunTransitionError)
    case noGrantSet

    public var description: String {
        switch self {
        case .notFound(let id): "run \(id.guidText) does not exist"
        case .corruptRow(let id): "run \(id.guidText) has a status or action this binary does not know"
        case .corruptTask(let id): "run task \(id) has a status this binary does not know"
        case .transition(let error): error.description
        case .noGrantSet: "a grant run needs a grant set; none is defined"
        }
    }
}
