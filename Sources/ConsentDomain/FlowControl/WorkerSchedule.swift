/// The run worker's scheduling decisions, without I/O: when to claim and how many tasks, when to
/// sleep, when to wait for a task's end or the idle timer. `RunWorker`'s loop performs what this
/// decides (the claim, the sleep, the wait) and reports back what happened.
///
/// - Claims come in batches, not one per finished task: each claim is a scan of the queue, and
///   claiming per free slot made it the most expensive statement of a fast run. A claim is made
///   when an eighth of the limit is free, or when nothing is in flight.
/// - A claim that filled some slots but not all is followed at once by another (more may be due).
/// - With nothing in flight and nothing claimed, the worker sleeps for the idle poll.
/// - With tasks in flight and nothing to claim, it waits for whichever comes first: a task's end
///   or one idle timer (never more than one), so newly due tasks do not wait behind a slow one.
public struct WorkerSchedule: Sendable, Equatable {
    /// What the loop does after a claim.
    public enum Next: Sendable, Equatable {
        /// Claim again at once.
        case claimAgain
        /// Nothing in flight: sleep, then decide again.
        case sleep(Duration)
        /// Wait for the next task's end or the idle timer; start the timer first when asked.
        case wait(startTimer: Bool)
    }

    public let idlePoll: Duration
    /// The most tasks in flight now (`ConcurrencyLimit`'s answer, at most `CPV_WORKERS`).
    public private(set) var limit: Int
    public private(set) var inFlight = 0
    public private(set) var timerRunning = false

    public init(limit: Int, idlePoll: Duration) {
        self.limit = max(limit, 1)
        self.idlePoll = idlePoll
    }

    /// How many tasks to claim now, or nil to claim nothing this time round.
    public var claimSize: Int? {
        let free = limit - inFlight
        return free >= max(1, limit / 8) || (free > 0 && inFlight == 0) ? free : nil
    }

    /// A claim failed and will be retried after `pause`: with nothing in flight the loop sleeps that
    /// long (returned); with tasks in flight it goes on with them (nil).
    public func claimFailed(pause: Duration) -> Duration? {
        inFlight == 0 ? pause : nil
    }

    /// `count` tasks were claimed and started (`attempted`: a claim was made, as `claimSize` asked).
    public mutating func claimed(_ count: Int, attempted: Bool) -> Next {
        inFlight += count
        if count > 0, inFlight < limit { return .claimAgain }
        if inFlight == 0 { return .sleep(idlePoll) }
        if attempted, count == 0, !timerRunning {
            timerRunning = true
            return .wait(startTimer: true)
        }
        return .wait(startTimer: false)
    }

    /// A task ended; `limit` is the concurrency limit after it.
    public mutating func taskFinished(limit: Int) {
        inFlight = max(inFlight - 1, 0)
        self.limit = max(limit, 1)
    }

    /// The idle timer fired: the next empty claim may start another.
    public mutating func timerFired() {
        timerRunning = false
    }
}
