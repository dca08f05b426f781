import ConsentDomain
import Testing

/// Each documented path of `docs/consent-states.md`, walked end to end as the grantor would.
@Suite struct ConsentStateMachinePathTests {
    /// Feeds events in order and collects the steps.
    static func walk(_ machine: inout ConsentStateMachine, _ events: [ConsentEvent]) -> [ConsentStep] {
        events.map { machine.handle($0) }
    }

    static let start = ConsentEvent.taskStarted(.grant, grantSetVersion: 3)

    @Test func grantHappyPath() {
        // given
        var machine = ConsentStateMachine(state: .unknown)
        // when
        let steps = Self.walk(&machine, [Self.start, .deleteSucceeded, .postSucceeded])
        // then
        #expect(steps.map(\.state) == [.granting, .granting, .granted])
        #expect(steps.flatMap(\.audit) == [.deleteRequested, .deleteSucceeded, .postRequested, .postSucceeded])
        #expect(steps.last?.action == .finish(.succeeded(grantSetVersion: 3)))
        #expect(machine.grantSetVersion == 3)
    }

    @Test func grantWhenThereWasNothingToDelete() {
        var machine = ConsentStateMachine(state: .unknown)
        let steps = Self.walk(&machine, [Self.start, .deleteFailed(.notFound, errorCode: "404"), .postSucceeded])
        #expect(steps.flatMap(\.audit) == [.deleteRequested, .deleteNotFound, .postRequested, .postSucceeded])
        #expect(machine.state == .granted)
    }

    @Test func grantThroughThrottlingAndServerErrors() {
        // given
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2, maxAttempts: 2)
        // when: 429s never spend an attempt, so two of them and one 503 still leave room
        let steps = Self.walk(&machine, [
            Self.start,
            .deleteFailed(.throttled(retryAfter: 57), errorCode: "429"),
            .deleteFailed(.throttled(retryAfter: 30), errorCode: "429"),
            .deleteFailed(.transient(retryAfter: nil), errorCode: "503"),
            .deleteSucceeded,
            .postFailed(.throttled(retryAfter: nil), errorCode: "429"),
            .postSucceeded,
        ])
        // then
        #expect(steps.map(\.action) == [
            .call(.delete),
            .retry(.delete, after: .throttled(retryAfter: 57, consecutive: 1)),
            .retry(.delete, after: .throttled(retryAfter: 30, consecutive: 2)),
            .retry(.delete, after: .backoff(attempt: 1, retryAfter: nil)),
            .call(.post),
            .retry(.post, after: .throttled(retryAfter: nil, consecutive: 1)),
            .finish(.succeeded(grantSetVersion: 3)),
        ])
        #expect(steps.map(\.state) == [.granting, .granting, .granting, .granting, .granting, .missing, .granted])
    }

    @Test func deleteGivesUpAndTheCustomerKeepsItsConsent() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2, maxAttempts: 2)
        let steps = Self.walk(&machine, [
            Self.start, .deleteFailed(.transient(retryAfter: nil), errorCode: "503"), .deleteFailed(.transient(retryAfter: nil), errorCode: "timeout"),
        ])
        #expect(steps.last == ConsentStep(action: .finish(.failed(errorCode: "timeout", failure: .transient)), audit: [.deleteFailed, .gaveUp], state: .granted))
        #expect(machine.grantSetVersion == 2)
    }

    @Test func conflictRerunsThePairOnceThenSucceeds() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2)
        let steps = Self.walk(&machine, [
            Self.start, .deleteSucceeded, .postFailed(.alreadyExists, errorCode: "409"), .deleteSucceeded, .postSucceeded,
        ])
        #expect(steps.flatMap(\.audit) == [
            .deleteRequested, .deleteSucceeded, .postRequested, .postConflict, .pairRerun, .deleteRequested,
            .deleteSucceeded, .postRequested, .postSucceeded,
        ])
        #expect(machine.state == .granted)
    }

    @Test func conflictTwiceFailsWithTheConflictCode() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2)
        let steps = Self.walk(&machine, [
            Self.start, .deleteSucceeded, .postFailed(.alreadyExists, errorCode: "409"),
            .deleteSucceeded, .postFailed(.alreadyExists, errorCode: "409"),
        ])
        #expect(steps.last?.action == .finish(.failed(errorCode: "409", failure: .customer)))
        #expect(machine.state == .failed)
        #expect(machine.lastErrorCode == "409")
    }

    @Test func postFailsAfterTheDeleteAndTheCustomerIsMissing() {
        // given
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2, maxAttempts: 2)
        // when
        let steps = Self.walk(&machine, [
            Self.start, .deleteSucceeded,
            .postFailed(.transient(retryAfter: nil), errorCode: "500"), .postFailed(.transient(retryAfter: 4), errorCode: "503"),
        ])
        // then
        #expect(steps.map(\.state) == [.granting, .granting, .missing, .missing])
        #expect(steps.last?.action == .finish(.failed(errorCode: "503", failure: .transient)))
        #expect(machine.state.isUrgent)
    }

    @Test func aMissingCustomerIsGrantedOnTheNextRun() {
        var machine = ConsentStateMachine(state: .missing)
        let steps = Self.walk(&machine, [Self.start, .deleteFailed(.notFound, errorCode: "404"), .postSucceeded])
        #expect(steps.map(\.state) == [.granting, .granting, .granted])
    }

    @Test func partnerTokenDiesBeforeTheDeleteThenTheTaskResumesAfterReconsent() {
        // given
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2)
        // when the partner's token is dead, then the partner consents again and the task restarts
        let blocked = Self.walk(&machine, [Self.start, .tokenFailed(.partnerMustReconsent, errorCode: "AADSTS700082")])
        #expect(blocked.last == ConsentStep(action: .finish(.blocked(.partnerMustReconsent)), audit: [.tokenFailed, .blocked], state: .blocked))
        let resumed = Self.walk(&machine, [Self.start, .deleteSucceeded, .postSucceeded])
        // then
        #expect(resumed.map(\.state) == [.granting, .granting, .granted])
    }

    @Test func partnerTokenDiesBetweenDeleteAndPostThenTheMissingCustomerIsGrantedAfterReconsent() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2)
        let blocked = Self.walk(&machine, [Self.start, .deleteSucceeded, .tokenFailed(.conditionalAccessBlocked, errorCode: "AADSTS53003")])
        #expect(blocked.last?.action == .finish(.blocked(.conditionalAccessBlocked)))
        #expect(machine.state == .missing)
        #expect(machine.state.isUrgent)
        // after re-consent
        let resumed = Self.walk(&machine, [Self.start, .deleteFailed(.notFound, errorCode: "404"), .postSucceeded])
        #expect(resumed.last?.state == .granted)
    }

    @Test func partnerCenterRefusesTheFreshTokenOnThePost() {
        var machine = ConsentStateMachine(state: .unknown)
        let steps = Self.walk(&machine, [
            Self.start, .deleteSucceeded, .postFailed(PartnerCenterFailure(status: 401), tokenWasFresh: true),
        ])
        #expect(steps.last == ConsentStep(action: .finish(.blocked(.partnerMustReconsent)), audit: [.postFailed, .blocked], state: .missing))
    }

    @Test func notThePartnersCustomerFailsWithTheCode() {
        var machine = ConsentStateMachine(state: .unknown)
        let steps = Self.walk(&machine, [Self.start, .deleteFailed(PartnerCenterFailure(status: 403, code: "20002"))])
        #expect(steps.last == ConsentStep(action: .finish(.failed(errorCode: "20002", failure: .customer)), audit: [.deleteFailed], state: .failed))
    }

    @Test func unknownCustomerFailsWithTheCode() {
        var machine = ConsentStateMachine(state: .unknown)
        let steps = Self.walk(&machine, [Self.start, .deleteFailed(PartnerCenterFailure(status: 404, code: "60003"))])
        #expect(steps.last?.action == .finish(.failed(errorCode: "60003", failure: .customer)))
        #expect(machine.state == .failed)
    }

    @Test func revokePath() {
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 2)
        let steps = Self.walk(&machine, [
            .taskStarted(.revoke, grantSetVersion: nil), .deleteFailed(.throttled(retryAfter: 1), errorCode: "429"), .deleteSucceeded,
        ])
        #expect(steps.map(\.state) == [.granted, .granted, .revoked])
        #expect(steps.flatMap(\.audit) == [.deleteRequested, .deleteFailed, .throttled, .deleteSucceeded])
        #expect(machine.grantSetVersion == nil)
    }
}
