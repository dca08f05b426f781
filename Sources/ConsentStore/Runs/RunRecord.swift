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

    static let columns = """
        id, action, scope::text, grant_set_version, dry_run, max_concurrency, status, requested_by, total_tasks,
        created_at, started_at, finished_at
        """

    typealias Tuple = (UUID, String, String, Int32?, Bool, Int32?, String, String, Int32, Date, Date?, Date?)

    static func decode(_ row: Tuple) throws -> RunRecord {
        guard let action = RunAction(rawValue: row.1), let status = RunStatus(rawValue: row.6) else {
            throw RunStoreError.corruptRow(row.0)
        }
        let scope = try JSONDecoder().decode(RunScope.self, from: Data(row.2.utf8))
        return RunRecord(
            id: row.0, action: action, scope: scope, grantSetVersion: row.3.map(Int.init), dryRun: row.4,
            maxConcurrency: row.5.map(Int.init), status: status, requestedBy: row.7, totalTasks: Int(row.8),
            createdAt: row.9, startedAt: row.10, finishedAt: row.11)
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

    static let columns = """
        id, run_id, customer_id, partner_id, priority, status, attempts, lease_owner, lease_expires_at,
        next_attempt_at, last_error_code, last_error, failure_class, finished_at
        """

    typealias Tuple = (Int64, UUID, Int64, UUID, Int16, String, Int32, String?, Date?, Date, String?, String?, String?, Date?)

    static func decode(_ row: Tuple) throws -> RunTaskRecord {
        guard let status = RunTaskStatus(rawValue: row.5) else { throw RunStoreError.corruptTask(row.0) }
        return RunTaskRecord(
            id: row.0, runID: row.1, customerID: row.2, partnerID: row.3, priority: Int(row.4), status: status,
            attempts: Int(row.6), leaseOwner: row.7, leaseExpiresAt: row.8, nextAttemptAt: row.9, lastErrorCode: row.10,
            lastError: row.11, failureClass: row.12.flatMap(FailureClass.init(rawValue:)), finishedAt: row.13)
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
        case .notFound(let id): "run \(id) does not exist"
        case .corruptRow(let id): "run \(id) has a status or action this binary does not know"
        case .corruptTask(let id): "run task \(id) has a status this binary does not know"
        case .transition(let error): error.description
        case .noGrantSet: "a grant run needs a grant set; none is defined"
        }
    }
}
