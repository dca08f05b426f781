import ConsentDomain
import Foundation
import Testing

@Suite struct PartnerCenterFailureTests {
    @Test func a429IsThrottledWithItsRetryAfter() {
        #expect(PartnerCenterFailure(status: 429, retryAfter: 57).classify() == .throttled(retryAfter: 57))
    }

    @Test(arguments: [408, 500, 502, 503, 504])
    func serverErrorsAndTimeoutsAreTransient(_ status: Int) {
        #expect(PartnerCenterFailure(status: status, retryAfter: 3).classify() == .transient(retryAfter: 3))
    }

    @Test func a409IsAlreadyExists() {
        let failure = PartnerCenterFailure(status: 409, description: "Permission entry already exists.")
        #expect(failure.classify() == .alreadyExists)
    }

    @Test func a401WithAFreshTokenMeansThePartnerMustReconsent() {
        #expect(PartnerCenterFailure(status: 401, code: "400").classify(tokenWasFresh: true) == .partnerLevel(.partnerMustReconsent))
    }

    @Test func a401WithACachedTokenIsRetriedWithANewOne() {
        #expect(PartnerCenterFailure(status: 401).classify(tokenWasFresh: false) == .transient(retryAfter: nil))
    }

    @Test func a403ConditionalAccessBlockIsPartnerLevel() {
        #expect(PartnerCenterFailure(status: 403, code: "900309").classify() == .partnerLevel(.conditionalAccessBlocked))
    }

    @Test func a400AppOnlyTokenIsPartnerLevelMisconfiguration() {
        #expect(PartnerCenterFailure(status: 400, code: "900316").classify() == .partnerLevel(.appMisconfigured))
    }

    @Test func a403WithoutRelationshipIsCustomerLevel() {
        #expect(PartnerCenterFailure(status: 403, code: "20002").classify() == .customerLevel("20002"))
    }

    @Test func a404TenantNotFoundIsCustomerLevel() {
        #expect(PartnerCenterFailure(status: 404, code: "60003").classify() == .customerLevel("60003"))
    }

    @Test func anyOther404IsNotFound() {
        #expect(PartnerCenterFailure(status: 404, code: "1000").classify() == .notFound)
        #expect(PartnerCenterFailure(status: 404).classify() == .notFound)
    }

    @Test func a400WithoutCodeIsCustomerLevelNamedByStatus() {
        #expect(PartnerCenterFailure(status: 400).classify() == .customerLevel("400"))
    }

    @Test func a501IsNotRetried() {
        #expect(PartnerCenterFailure(status: 501).classify() == .customerLevel("501"))
    }

    @Test func aNumericCodeInTheBodyIsReadAsAString() {
        // when
        let failure = PartnerCenterFailure(
            status: 400, body: Data(#"{"code": 2000, "description": "Tenant Id must be a GUID.", "data": [], "source": "PartnerFD"}"#.utf8),
            retryAfterHeader: nil)
        // then
        #expect(failure == PartnerCenterFailure(status: 400, code: "2000", description: "Tenant Id must be a GUID."))
    }

    @Test func aStringCodeInTheBodyIsKept() {
        let failure = PartnerCenterFailure(status: 403, body: Data(#"{"code":"900309","description":"blocked"}"#.utf8), retryAfterHeader: nil)
        #expect(failure.code == "900309")
    }

    @Test func theThrottlingBodyAndRetryAfterAreRead() {
        let failure = PartnerCenterFailure(
            status: 429, body: Data(#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}"#.utf8),
            retryAfterHeader: " 57 ")
        #expect(failure.retryAfter == 57)
        #expect(failure.description == "Rate limit is exceeded. Try again in 57 seconds.")
        #expect(failure.code == nil)
    }

    @Test func anUnreadableBodyLeavesCodeAndDescriptionEmpty() {
        let failure = PartnerCenterFailure(status: 502, body: Data("<html>bad gateway</html>".utf8), retryAfterHeader: "soon")
        #expect(failure == PartnerCenterFailure(status: 502))
    }

    @Test func theErrorCodeFallsBackToTheStatus() {
        #expect(PartnerCenterFailure(status: 503).errorCode == "503")
        #expect(PartnerCenterFailure(status: 403, code: "20002").errorCode == "20002")
    }
}
