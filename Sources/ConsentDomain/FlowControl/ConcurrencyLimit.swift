import Foundation

/// How many consent tasks one worker process keeps in flight: enough to use the fleet's budget at
/// the latency Partner Center answers with, and no more (Little's law: tasks in flight = tasks per
/// second × seconds per task). Pure; the worker feeds it every finished task.
///
/// A task's time counts everything but its waits for a budget slot: calls, retry and Retry-After
/// waits, database writes. Slot waits are left out because they grow when there are too many tasks
/// in flight, which would otherwise raise the limit further (a feedback loop). Retry waits stay in:
/// a task waiting out a 5xx holds its place without spending budget, and the others must cover it.
public struct ConcurrencyLimit: Sendable, Equatable {
    /// Tasks in flight beyond the estimate, for the variance of latency and of calls per task.
    public static let headroom = 1.5
    /// Weight of each finished task in the running estimates: about the last 20 tasks count.
    public static let smoothing = 0.1

    public let minimum: Int
    /// `CPV_WORKERS`: never more, whatever the estimate says.
    public let maximum: Int
    /// Seconds a task takes, waits for slots excluded (running estimate).
    public private(set) var taskSeconds: Double
    /// Partner Center calls per task, retries included (running estimate). A reconcile task that
    /// found its tenant verified made none: such tasks cost no consent budget, so a run of mostly
    /// verified tenants keeps many more in flight (bounded by `maximum`, the Graph budget paces them).
    public private(set) var callsPerTask: Double
    /// The estimate never goes below this: a run of verified tenants is bounded by `maximum`.
    public static let minimumCallsPerTask = 0.01
    public private(set) var limit: Int

    /// - Parameter taskSeconds: the first estimate, until tasks finish (a DELETE and a POST of half
    ///   a second each).
    public init(minimum: Int = 2, maximum: Int, taskSeconds: Double = 1, callsPerTask: Double = 2) {
        self.maximum = max(maximum, 1)
        self.minimum = min(max(minimum, 1), self.maximum)
        self.taskSeconds = max(taskSeconds, 0.001)
        self.callsPerTask = max(callsPerTask, 1)
        self.limit = self.maximum
    }

    /// A task finished after `seconds` (slot waits excluded) with `calls` Partner Center calls.
    public mutating func taskFinished(seconds: Double, calls: Int, budget: Double?) -> Int {
        if seconds.isFinite, seconds >= 0 { taskSeconds += Self.smoothing * (seconds - taskSeconds) }
        callsPerTask = max(Self.minimumCallsPerTask, callsPerTask + Self.smoothing * (Double(max(calls, 0)) - callsPerTask))
        return update(budget: budget)
    }

    /// The fleet's budget changed (calls per second; nil: no budget of ours, so the maximum).
    @discardableResult
    public mutating func update(budget: Double?) -> Int {
        guard let budget, budget > 0 else {
            limit = maximum
            return limit
        }
        let needed = (budget / callsPerTask * taskSeconds * Self.headroom).rounded(.up)
        limit = Int(min(max(needed, Double(minimum)), Double(maximum)))
        return limit
    }
}
