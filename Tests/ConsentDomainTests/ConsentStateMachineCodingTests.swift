import ConsentDomain
import Foundation
import Testing

@Suite struct ConsentStateMachineCodingTests {
    @Test func aMachineMidTaskSurvivesAJSONRoundTrip() throws {
        // given a machine waiting to retry its POST
        var machine = ConsentStateMachine(state: .granted, grantSetVersion: 1)
        _ = machine.handle(.taskStarted(.grant, grantSetVersion: 2))
        _ = machine.handle(.deleteSucceeded)
        _ = machine.handle(.postFailed(.transient(retryAfter: nil), errorCode: ConsentEvent.timeoutErrorCode))
        // when
        var restored = try JSONDecoder().decode(ConsentStateMachine.self, from: JSONEncoder().encode(machine))
        // then it carries on where it stopped
        #expect(restored == machine)
        #expect(restored.handle(.postSucceeded).action == .finish(.succeeded(grantSetVersion: 2)))
    }
}
