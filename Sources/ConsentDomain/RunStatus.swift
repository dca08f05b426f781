/// What a run does to each customer in its scope.
public enum RunAction: String, Sendable, Codable, CaseIterable {
    /// DELETE then POST the grant set.
    case grant
    /// DELETE only.
    case revoke
    /// Read each tenant through Graph first; DELETE then POST only where it differs (issue #16).
    case reconcile
}

/// A run's lifecycle, stored in `runs.status`.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case paused
    case cancelled
    case completed

    /// No command moves a run out of these.
    public var isTerminal: Bool { self == .cancelled || self == .completed }

    /// The status after `command`, or `RunTransitionError` if the command is not allowed now.
    ///
    /// `start` (queued → running) and `complete` (running → completed) are the workers' commands;
    /// `pause`, `resume` and `cancel` are staff's. Resuming goes to `running`: the run's tasks keep
    /// their own status, so workers simply carry on where they stopped.
    public func applying(_ command: RunCommand) throws(RunTransitionError) -> RunStatus {
        switch (command, self) {
        case (.start, .queued): return .running
        case (.pause, .queued), (.pause, .running): return .paused
        case (.resume, .paused): return .running
        case (.cancel, .queued), (.cancel, .running), (.cancel, .paused): return .cancelled
        case (.complete, .running): return .completed
        default: throw RunTransitionError(from: self, command: command)
        }
    }
}

/// Something that changes a run's status.
public enum RunCommand: String, Sendable, Codable, CaseIterable {
    case start
    case pause
    case resume
    case cancel
    case complete
}

/// A command that is not allowed from the run's current status, e.g. resuming a running run.
public struct RunTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: RunStatus
    public let command: RunCommand

    public init(from: RunStatus, command: RunCommand) {
        self.from = from
        self.command = command
    }

    /// Stable code for the API's error body.
    public var code: String { "illegal_run_transition" }

    public var description: String {
        from.isTerminal
            ? "cannot \(command.rawValue) a run that is already \(from.rawValue)"
            : "cannot \(command.rawValue) a run that is \(from.rawValue)"
    }
}

/// A task's lifecycle, stored in `run_tasks.status`.
public enum RunTaskStatus: String, Sendable, Codable, CaseIterable {
    case pending
    /// Claimed by a worker until `lease_expires_at`.
    case leased
    case succeeded
    case failed
    /// Nothing to do (dry run, customer removed, already at the desired version).
    case skipped
    case cancelled
    /// Stopped by a partner-level failure; pending again after the partner consents again.
    case blocked

    /// No worker picks these up again by itself.
    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .skipped, .cancelled: true
        case .pending, .leased, .blocked: false
        }
    }
}
