import ConsentDomain
import Testing

/// The run worker's loop decisions, without I/O (`RunWorkerTests` runs the loop itself).
@Suite struct WorkerScheduleTests {
    @Test func anIdleWorkerClaimsItsWholeLimitAndSleepsWhenNothingIsDue() {
        var schedule = WorkerSchedule(limit: 16, idlePoll: .seconds(1))
        #expect(schedule.claimSize == 16)
        #expect(schedule.claimed(0, attempted: true) == .sleep(.seconds(1)))
        #expect(schedule.inFlight == 0)
    }

    @Test func finishedTasksAreReplacedInBatchesNotOneByOne() {
        var schedule = WorkerSchedule(limit: 16, idlePoll: .seconds(1))
        #expect(schedule.claimed(16, attempted: true) == .wait(startTimer: false))
        schedule.taskFinished(limit: 16)
        #expect(schedule.claimSize == nil, "one free slot of 16 is not worth a queue scan")
        schedule.taskFinished(limit: 16)
        #expect(schedule.claimSize == 2)
    }

    @Test func aClaimThatFillsSomeSlotsIsFollowedByAnother() {
        var schedule = WorkerSchedule(limit: 16, idlePoll: .seconds(1))
        #expect(schedule.claimed(5, attempted: true) == .claimAgain)
        #expect(schedule.claimSize == 11)
        #expect(schedule.claimed(11, attempted: true) == .wait(startTimer: false))
    }

    @Test func anEmptyClaimBesideTasksInFlightStartsOneIdleTimer() {
        var schedule = WorkerSchedule(limit: 8, idlePoll: .milliseconds(500))
        #expect(schedule.claimed(4, attempted: true) == .claimAgain)
        #expect(schedule.claimed(0, attempted: true) == .wait(startTimer: true))
        #expect(schedule.claimed(0, attempted: true) == .wait(startTimer: false), "one timer at a time")
        schedule.timerFired()
        #expect(schedule.claimed(0, attempted: true) == .wait(startTimer: true))
        #expect(schedule.claimed(0, attempted: false) == .wait(startTimer: false), "no claim made, no timer")
    }

    @Test func aFailedClaimSleepsOnlyWhenNothingIsInFlight() {
        var schedule = WorkerSchedule(limit: 8, idlePoll: .seconds(1))
        #expect(schedule.claimFailed(pause: .seconds(4)) == .seconds(4))
        _ = schedule.claimed(3, attempted: true)
        #expect(schedule.claimFailed(pause: .seconds(4)) == nil, "the tasks in hand go on")
    }

    @Test func aLimitThatFallsBelowWhatIsInFlightStopsClaimsUntilTasksEnd() {
        var schedule = WorkerSchedule(limit: 32, idlePoll: .seconds(1))
        _ = schedule.claimed(32, attempted: true)
        schedule.taskFinished(limit: 8)
        #expect(schedule.inFlight == 31)
        #expect(schedule.claimSize == nil)
        for _ in 0..<24 { schedule.taskFinished(limit: 8) }
        #expect(schedule.inFlight == 7)
        #expect(schedule.claimSize == 1, "free 1 of 8 is an eighth")
    }
}
