import ConsentDomain
import Testing

@Suite struct TokenFailureReasonTests {
    @Test(arguments: [700082, 70008, 50173, 70043])
    func deadRefreshTokensNeedReconsent(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_grant") == .partnerMustReconsent)
    }

    @Test(arguments: [50076, 50079, 50074, 50078])
    func mfaCodesNeedMFA(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_grant") == .mfaRequired)
    }

    @Test(arguments: [53003, 530034])
    func conditionalAccessCodesAreBlocks(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "interaction_required") == .conditionalAccessBlocked)
    }

    @Test(arguments: [65001, 90099])
    func missingConsentCodesAreConsentMissing(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_grant") == .consentMissing)
    }

    @Test(arguments: [7000215, 7000222, 700027, 700016, 7000112, 70001, 650052, 500011, 901002, 70011, 700022, 54005])
    func configurationAndClientBugCodesAreAppMisconfigured(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_client") == .appMisconfigured)
    }

    @Test(arguments: [90002, 900023])
    func unknownTenantCodesAreTenantNotFound(_ code: Int) {
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_tenant") == .tenantNotFound)
    }

    @Test(arguments: [50033, 50087, 90006, 90033, 90090, 90024, 50196, 90055])
    func tryAgainCodesAreTransient(_ code: Int) {
        // given an `error` that alone would mean re-consent: the code must win
        #expect(TokenFailureReason.classify(aadstsCodes: [code], error: "invalid_grant") == .transient)
    }

    @Test func theFirstKnownCodeWins() {
        #expect(TokenFailureReason.classify(aadstsCodes: [70002, 70008], error: "invalid_client") == .partnerMustReconsent)
    }

    @Test func temporarilyUnavailableIsTransient() {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: "temporarily_unavailable") == .transient)
    }

    @Test func aServerErrorWithoutKnownCodeIsTransient() {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: "invalid_grant", httpStatus: 503) == .transient)
    }

    @Test func anUnknownInvalidGrantNeedsReconsent() {
        #expect(TokenFailureReason.classify(aadstsCodes: [123456], error: "invalid_grant") == .partnerMustReconsent)
    }

    @Test func interactionRequiredWithoutKnownCodeNeedsReconsent() {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: "interaction_required") == .partnerMustReconsent)
    }

    @Test func consentRequiredIsConsentMissing() {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: "consent_required") == .consentMissing)
    }

    @Test func invalidTenantIsTenantNotFound() {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: "invalid_tenant") == .tenantNotFound)
    }

    @Test(arguments: ["invalid_client", "unauthorized_client", "invalid_scope", "invalid_resource", "invalid_request", "unsupported_grant_type"])
    func clientSideOAuthErrorsAreAppMisconfigured(_ error: String) {
        #expect(TokenFailureReason.classify(aadstsCodes: [], error: error) == .appMisconfigured)
    }

    @Test func anythingElseUnknownIsTransient() {
        #expect(TokenFailureReason.classify(aadstsCodes: [999], error: "something_new") == .transient)
    }

    @Test func onlyDeadCredentialsRequirePartnerReconsent() {
        let needing = TokenFailureReason.allCases.filter(\.requiresPartnerReconsent)
        #expect(needing == [.partnerMustReconsent, .mfaRequired, .conditionalAccessBlocked])
    }

    @Test func onlyTransientIsRetryable() {
        #expect(TokenFailureReason.allCases.filter(\.isRetryable) == [.transient])
    }
}
