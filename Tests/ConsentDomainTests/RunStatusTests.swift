import ConsentDomain
import Testing

@Suite struct RunStatusTests {
    @Test func rawValuesMatchTheSchema() {
        #expect(RunAction.allCases.map(\.rawValue) == ["grant", "revoke", "reconcile"])
        #expect(RunStatus.allCases.map(\.rawValue) == ["queued", "running", "paused", "cancelled", "completed"])
        #expect(RunTaskStatus.allCases.map(\.rawValue) == ["pending", "leased", "succeeded", "failed", "skipped", "cancelled", "blocked"])
    }

    static let allowed: [(RunStatus, RunCommand, RunStatus)] = [
        (.queued, .start, .running),
        (.queued, .pause, .paused),
        (.running, .pause, .paused),
        (.paused, .resume, .running),
        (.queued, .cancel, .cancelled),
        (.running, .cancel, .cancelled),
        (.paused, .cancel, .cancelled),
        (.running, .complete, .completed),
    ]

    @Test(arguments: allowed)
    func anAllowedCommandMovesTheRun(_ from: RunStatus, _ command: RunCommand, _ to: RunStatus) throws {
        #expect(try from.applying(command) == to)
    }

    @Test func everyOtherCommandIsRefusedWithATypedError() {
        // given every pair not in the allowed list
        for from in RunStatus.allCases {
            for command in RunCommand.allCases where !Self.allowed.contains(where: { $0.0 == from && $0.1 == command }) {
                // then
                #expect(throws: RunTransitionError(from: from, command: command)) { try from.applying(command) }
            }
        }
    }

    @Test func terminalStatusesAcceptNoCommand() {
        for from in RunStatus.allCases where from.isTerminal {
            for command in RunCommand.allCases {
                #expect(throws: RunTransitionError.self) { try from.applying(command) }
            }
        }
        #expect(RunStatus.allCases.filter(\.isTerminal) == [.cancelled, .completed])
    }

    @Test func theErrorSaysWhatWasRefused() {
        #expect(RunTransitionError(from: .running, command: .resume).description == "cannot resume a run that is running")
        #expect(RunTransitionError(from: .completed, command: .pause).description == "cannot pause a run that is already completed")
        #expect(RunTransitionError(from: .completed, command: .pause).code == "illegal_run_transition")
    }

    @Test func blockedTasksAreNotFinished() {
        #expect(RunTaskStatus.allCases.filter(\.isFinished) == [.succeeded, .failed, .skipped, .cancelled])
    }
}
