import ConsentDomain
import Testing

@Suite struct ConsentStateTests {
    @Test func rawValuesMatchTheSchema() {
        #expect(ConsentState.allCases.map(\.rawValue) == ["unknown", "granting", "granted", "failed", "missing", "blocked", "revoked"])
    }

    @Test func onlyMissingIsUrgent() {
        #expect(ConsentState.allCases.filter(\.isUrgent) == [.missing])
    }
}
