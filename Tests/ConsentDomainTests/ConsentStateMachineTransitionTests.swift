import ConsentDomain
import Testing

/// One test per transition of `docs/consent-states.md`.
@Suite struct ConsentStateMachineTransitionTests {
    static func deleting(from state: ConsentState = .granted, action: RunAction = .grant, maxAttempts: Int = 3) -> ConsentStateMachine {
        var machine = ConsentStateMachine(state: state, grantSetVersion: state == .granted ? 1 : nil, maxAttempts: maxAttempts)
        _ = machine.handle(.taskStarted(action, grantSetVersion: action == .grant ? 2 : nil))
        return machine
    }

    static func posting(from state: ConsentState = .granted, maxAttempts: Int = 3) -> ConsentStateMachine {
        var machine = deleting(from: state, maxAttempts: maxAttempts)
        _ = machine.handle(.deleteSucceeded)
        return machine
    }

    // MARK: task start

    @Test(arguments: [ConsentState.unknown, .granted, .failed, .missing, .blocked, .revoked])
    func startingAGrantMovesToGrantingAndAsksForTheDelete(_ before: ConsentState) {
        // given
        var machine = ConsentStateMachine(state: before)
        // when
        let step = machine.handle(.taskStarted(.grant, grantSetVersion: 2))
        // then
        #expect(step == ConsentStep(action: .call(.delete), audit: [.deleteRequested], state: .granting))
        #expect(machine.step == .deleting)
    }

    @Test func startingARevokeKeepsTheStateAndAsksForTheDelete() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 1)
        let step = machine.handle(.taskStarted(.revoke, grantSetVersion: nil))
        #expect(step == ConsentStep(action: .call(.delete), audit: [.deleteRequested], state: .granted))
    }

    @Test func startingFromMissingRemembersTheCustomerHasNoConsent() {
        var machine = ConsentStateMachine(state: .missing)
        _ = machine.handle(.taskStarted(.grant, grantSetVersion: 2))
        #expect(machine.consentRemoved)
    }

    @Test func aTaskCutOffMidPairRestartsFromUnknown() {
        // given a customer left `granting` by a crashed worker
        var machine = ConsentStateMachine(state: .granting, maxAttempts: 1)
        _ = machine.handle(.taskStarted(.grant, grantSetVersion: 2))
        // when the DELETE cannot be made
        let step = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "503"))
        // then
        #expect(step.state == .unknown)
    }

    // MARK: DELETE

    @Test func aSuccessfulDeleteAsksForThePost() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteSucceeded)
        #expect(step == ConsentStep(action: .call(.post), audit: [.deleteSucceeded, .postRequested], state: .granting))
        #expect(machine.consentRemoved)
    }

    @Test func aDeleteThatFoundNothingAsksForThePost() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.notFound, errorCode: "1000"))
        #expect(step == ConsentStep(action: .call(.post), audit: [.deleteNotFound, .postRequested], state: .granting))
        #expect(machine.consentRemoved)
    }

    @Test func aTransientDeleteFailureIsRetriedWithBackoff() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.transient(retryAfter: 5), errorCode: "503"))
        #expect(step == ConsentStep(
            action: .retry(.delete, after: .backoff(attempt: 1, retryAfter: 5)), audit: [.deleteFailed, .retryScheduled], state: .granting))
    }

    @Test func aDeleteThatKeepsFailingGivesUpAndRestoresThePreviousState() {
        // given the last allowed attempt
        var machine = Self.deleting(from: .granted, maxAttempts: 2)
        _ = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "503"))
        // when
        let step = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "504"))
        // then: nothing was deleted, so the customer still has its consent
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "504", failure: .transient)), audit: [.deleteFailed, .gaveUp], state: .granted))
        #expect(machine.lastErrorCode == "504")
    }

    @Test func aDeleteThatKeepsFailingForAMissingCustomerLeavesItMissing() {
        var machine = Self.deleting(from: .missing, maxAttempts: 1)
        let step = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "timeout"))
        #expect(step.state == .missing)
    }

    @Test func aThrottledDeleteIsRetriedWithoutCountingAnAttempt() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.throttled(retryAfter: 57), errorCode: "429"))
        #expect(step == ConsentStep(
            action: .retry(.delete, after: .throttled(retryAfter: 57, consecutive: 1)), audit: [.deleteFailed, .throttled], state: .granting))
        #expect(machine.failedAttempts == 0)
    }

    @Test func consecutiveThrottlesAreCounted() {
        var machine = Self.deleting()
        _ = machine.handle(.deleteFailed(.throttled(retryAfter: nil), errorCode: "429"))
        let step = machine.handle(.deleteFailed(.throttled(retryAfter: nil), errorCode: "429"))
        #expect(step.action == .retry(.delete, after: .throttled(retryAfter: nil, consecutive: 2)))
    }

    @Test func aCustomerLevelDeleteFailureFailsWithItsCode() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.customerLevel("20002"), errorCode: "20002"))
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "20002", failure: .customer)), audit: [.deleteFailed], state: .failed))
    }

    @Test func aConflictOnDeleteFailsWithItsCode() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.alreadyExists, errorCode: "409"))
        #expect(step.action == .finish(.failed(errorCode: "409", failure: .customer)))
        #expect(step.state == .failed)
    }

    @Test func aPartnerLevelDeleteFailureBlocks() {
        var machine = Self.deleting()
        let step = machine.handle(.deleteFailed(.partnerLevel(.conditionalAccessBlocked), errorCode: "900309"))
        #expect(step == ConsentStep(
            action: .finish(.blocked(.conditionalAccessBlocked)), audit: [.deleteFailed, .blocked], state: .blocked))
    }

    @Test func aPartnerLevelDeleteFailureLeavesAMissingCustomerMissing() {
        var machine = Self.deleting(from: .missing)
        let step = machine.handle(.deleteFailed(.partnerLevel(.partnerMustReconsent), errorCode: "401"))
        #expect(step.state == .missing)
        #expect(step.action == .finish(.blocked(.partnerMustReconsent)))
    }

    // MARK: POST

    @Test func aSuccessfulPostGrantsTheTargetVersion() {
        var machine = Self.posting()
        let step = machine.handle(.postSucceeded)
        #expect(step == ConsentStep(action: .finish(.succeeded(grantSetVersion: 2)), audit: [.postSucceeded], state: .granted))
        #expect(machine.grantSetVersion == 2)
        #expect(!machine.consentRemoved)
    }

    @Test func aFirstConflictRerunsThePair() {
        var machine = Self.posting()
        let step = machine.handle(.postFailed(.alreadyExists, errorCode: "409"))
        #expect(step == ConsentStep(
            action: .call(.delete), audit: [.postConflict, .pairRerun, .deleteRequested], state: .granting))
        #expect(machine.pairReruns == 1)
    }

    @Test func aSecondConflictFailsWithThatCode() {
        // given a pair already re-run once
        var machine = Self.posting()
        _ = machine.handle(.postFailed(.alreadyExists, errorCode: "409"))
        _ = machine.handle(.deleteSucceeded)
        // when
        let step = machine.handle(.postFailed(.alreadyExists, errorCode: "409"))
        // then
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "409", failure: .customer)), audit: [.postConflict, .gaveUp], state: .failed))
    }

    @Test func aTransientPostFailureMarksTheCustomerMissingAndRetries() {
        var machine = Self.posting()
        let step = machine.handle(.postFailed(.transient(retryAfter: nil), errorCode: "500"))
        #expect(step == ConsentStep(
            action: .retry(.post, after: .backoff(attempt: 1, retryAfter: nil)), audit: [.postFailed, .retryScheduled], state: .missing))
    }

    @Test func aPostThatKeepsFailingGivesUpAsMissing() {
        var machine = Self.posting(maxAttempts: 1)
        let step = machine.handle(.postFailed(.transient(retryAfter: nil), errorCode: "503"))
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "503", failure: .transient)), audit: [.postFailed, .gaveUp], state: .missing))
    }

    @Test func aThrottledPostMarksTheCustomerMissingWithoutCountingAnAttempt() {
        var machine = Self.posting()
        let step = machine.handle(.postFailed(.throttled(retryAfter: 10), errorCode: "429"))
        #expect(step == ConsentStep(
            action: .retry(.post, after: .throttled(retryAfter: 10, consecutive: 1)), audit: [.postFailed, .throttled], state: .missing))
        #expect(machine.failedAttempts == 0)
    }

    @Test func aCustomerLevelPostFailureFailsTheTaskAndLeavesTheCustomerMissing() {
        var machine = Self.posting()
        let step = machine.handle(.postFailed(.customerLevel("3000"), errorCode: "3000"))
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "3000", failure: .customer)), audit: [.postFailed], state: .missing))
    }

    @Test func aPartnerLevelPostFailureBlocksTheTaskAndLeavesTheCustomerMissing() {
        var machine = Self.posting()
        let step = machine.handle(.postFailed(.partnerLevel(.partnerMustReconsent), errorCode: "401"))
        #expect(step == ConsentStep(
            action: .finish(.blocked(.partnerMustReconsent)), audit: [.postFailed, .blocked], state: .missing))
    }

    @Test func aPostGetsItsOwnAttemptsAfterADeleteNeededRetries() {
        // given a DELETE that failed twice of three allowed
        var machine = Self.deleting(maxAttempts: 3)
        _ = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "503"))
        _ = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "503"))
        _ = machine.handle(.deleteSucceeded)
        // when
        let step = machine.handle(.postFailed(.transient(retryAfter: nil), errorCode: "503"))
        // then
        #expect(step.action == .retry(.post, after: .backoff(attempt: 1, retryAfter: nil)))
    }

    // MARK: partner token

    @Test func aDeadPartnerTokenBeforeTheDeleteBlocks() {
        var machine = Self.deleting()
        let step = machine.handle(.tokenFailed(.partnerMustReconsent, errorCode: "AADSTS700082"))
        #expect(step == ConsentStep(
            action: .finish(.blocked(.partnerMustReconsent)), audit: [.tokenFailed, .blocked], state: .blocked))
        #expect(machine.lastErrorCode == "AADSTS700082")
    }

    @Test func aDeadPartnerTokenBeforeThePostLeavesTheCustomerMissing() {
        var machine = Self.posting()
        let step = machine.handle(.tokenFailed(.mfaRequired, errorCode: "AADSTS50076"))
        #expect(step == ConsentStep(action: .finish(.blocked(.mfaRequired)), audit: [.tokenFailed, .blocked], state: .missing))
    }

    @Test func aTransientTokenFailureRetriesThePendingCall() {
        var machine = Self.deleting()
        let step = machine.handle(.tokenFailed(.transient, errorCode: "AADSTS90033"))
        #expect(step == ConsentStep(
            action: .retry(.delete, after: .backoff(attempt: 1, retryAfter: nil)), audit: [.tokenFailed, .retryScheduled], state: .granting))
    }

    @Test func aTransientTokenFailureBeforeThePostMarksTheCustomerMissing() {
        var machine = Self.posting()
        let step = machine.handle(.tokenFailed(.transient, errorCode: "AADSTS90033"))
        #expect(step.action == .retry(.post, after: .backoff(attempt: 1, retryAfter: nil)))
        #expect(step.state == .missing)
    }

    // MARK: revoke

    @Test func aSuccessfulRevokeDeleteRevokes() {
        var machine = Self.deleting(action: .revoke)
        let step = machine.handle(.deleteSucceeded)
        #expect(step == ConsentStep(action: .finish(.succeeded(grantSetVersion: nil)), audit: [.deleteSucceeded], state: .revoked))
        #expect(machine.grantSetVersion == nil)
    }

    @Test func aRevokeDeleteThatFoundNothingRevokes() {
        var machine = Self.deleting(action: .revoke)
        let step = machine.handle(.deleteFailed(.notFound, errorCode: "404"))
        #expect(step == ConsentStep(action: .finish(.succeeded(grantSetVersion: nil)), audit: [.deleteNotFound], state: .revoked))
    }

    @Test func aRevokeThatKeepsFailingKeepsThePreviousState() {
        var machine = Self.deleting(from: .granted, action: .revoke, maxAttempts: 1)
        let step = machine.handle(.deleteFailed(.transient(retryAfter: nil), errorCode: "503"))
        #expect(step == ConsentStep(action: .finish(.failed(errorCode: "503", failure: .transient)), audit: [.deleteFailed, .gaveUp], state: .granted))
    }

    // MARK: events that do not fit

    @Test func eventsBeforeAnyTaskAreIgnored() {
        var machine = ConsentStateMachine(state: .granted)
        for event in [ConsentEvent.deleteSucceeded, .postSucceeded, .tokenFailed(.transient, errorCode: "x")] {
            #expect(machine.handle(event) == ConsentStep(action: .ignore, audit: [], state: .granted))
        }
    }

    @Test func aPostResultWhileDeletingIsIgnored() {
        var machine = Self.deleting()
        #expect(machine.handle(.postSucceeded).action == .ignore)
        #expect(machine.step == .deleting)
    }

    @Test func aDeleteResultWhilePostingIsIgnored() {
        var machine = Self.posting()
        #expect(machine.handle(.deleteSucceeded).action == .ignore)
        #expect(machine.step == .posting)
    }

    @Test func eventsAfterTheTaskFinishedAreIgnored() {
        var machine = Self.posting()
        _ = machine.handle(.postSucceeded)
        #expect(machine.handle(.postFailed(.transient(retryAfter: nil), errorCode: "500")) == ConsentStep(action: .ignore, audit: [], state: .granted))
    }

    @Test func outcomesMapToTaskStatuses() {
        #expect(ConsentTaskOutcome.succeeded(grantSetVersion: 1).taskStatus == .succeeded)
        #expect(ConsentTaskOutcome.failed(errorCode: "x", failure: .customer).taskStatus == .failed)
        #expect(ConsentTaskOutcome.blocked(.mfaRequired).taskStatus == .blocked)
    }

    @Test func eventsFromPartnerCenterFailuresCarryTheClassificationAndCode() {
        #expect(ConsentEvent.postFailed(PartnerCenterFailure(status: 403, code: "20002")) == .postFailed(.customerLevel("20002"), errorCode: "20002"))
        #expect(ConsentEvent.deleteFailed(PartnerCenterFailure(status: 429, retryAfter: 3)) == .deleteFailed(.throttled(retryAfter: 3), errorCode: "429"))
    }

    @Test func auditActionNamesAreStable() {
        #expect(ConsentAuditAction.allCases.map(\.rawValue) == [
            "consent.delete.requested", "consent.delete.succeeded", "consent.delete.not_found", "consent.delete.failed",
            "consent.delete.abandoned", "consent.post.requested", "consent.post.succeeded", "consent.post.conflict",
            "consent.post.failed", "consent.post.abandoned", "consent.pair.rerun", "consent.token.failed",
            "consent.retry.scheduled", "consent.throttled", "consent.gave_up", "consent.blocked",
        ])
    }
}
