import ConsentDomain
import Foundation
import Testing

@Suite struct PartnerTests {
    static let tenant = TenantID(UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)))
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    func partner(consentedAt: Date?, lastRedeemedAt: Date?) -> Partner {
        Partner(
            id: UUID(), tenantID: Self.tenant, displayName: "Contoso", cloud: .global, status: .active,
            consentedAt: consentedAt, lastRedeemedAt: lastRedeemedAt, createdAt: Self.epoch)
    }

    @Test func statusRawValuesMatchTheSchema() {
        #expect(PartnerStatus.allCases.map(\.rawValue) == ["pending_consent", "active", "needs_reconsent", "disabled"])
    }

    @Test func tokenExpiresNinetyDaysAfterTheLastRedemption() {
        // given
        let partner = partner(consentedAt: Self.epoch, lastRedeemedAt: Self.epoch + 10 * Self.day)
        // when
        let expiry = partner.tokenExpiresBy
        // then
        #expect(expiry == Self.epoch + 100 * Self.day)
    }

    @Test func tokenExpiresNinetyDaysAfterConsentWhenNeverRedeemed() {
        let partner = partner(consentedAt: Self.epoch, lastRedeemedAt: nil)
        #expect(partner.tokenExpiresBy == Self.epoch + 90 * Self.day)
    }

    @Test func aPartnerWithoutConsentHasNoTokenExpiry() {
        let partner = partner(consentedAt: nil, lastRedeemedAt: nil)
        #expect(partner.tokenExpiresBy == nil)
        #expect(partner.daysUntilTokenExpiry(now: Self.epoch) == nil)
    }

    @Test func daysUntilExpiryRoundDown() {
        // given
        let partner = partner(consentedAt: Self.epoch, lastRedeemedAt: nil)
        // when
        let days = partner.daysUntilTokenExpiry(now: Self.epoch + 80 * Self.day + 3600)
        // then: 9 days and 23 hours left
        #expect(days == 9)
    }

    @Test func daysUntilExpiryIsNegativeOnceExpired() {
        let partner = partner(consentedAt: Self.epoch, lastRedeemedAt: nil)
        #expect(partner.daysUntilTokenExpiry(now: Self.epoch + 92 * Self.day) == -2)
    }
}

@Suite struct PartnerRegistrationTests {
    let guid = "6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01"

    @Test func aValidRegistrationIsTrimmedAndTyped() throws {
        // given
        let input = PartnerRegistration(tenantId: guid, displayName: "  Contoso Ltd \n", cloud: "usgov")
        // when
        let partner = try input.validated()
        // then
        #expect(partner.tenantID.description == guid)
        #expect(partner.displayName == "Contoso Ltd")
        #expect(partner.cloud == .usgov)
    }

    @Test func aDomainNameIsRefusedAsTenantID() {
        let input = PartnerRegistration(tenantId: "contoso.onmicrosoft.com", displayName: "Contoso", cloud: "global")
        #expect(throws: DomainValidationError(
            field: "tenantId", code: .notAGUID,
            message: "must be the partner's tenant id as a GUID, not a domain name")) { try input.validated() }
    }

    @Test func aBlankDisplayNameIsRefused() {
        let input = PartnerRegistration(tenantId: guid, displayName: "   ", cloud: "global")
        #expect(throws: DomainValidationError(field: "displayName", code: .empty, message: "must not be empty")) {
            try input.validated()
        }
    }

    @Test func aDisplayNameOf256CharactersIsAccepted() throws {
        let input = PartnerRegistration(tenantId: guid, displayName: String(repeating: "é", count: 256), cloud: "global")
        #expect(try input.validated().displayName.count == 256)
    }

    @Test func aDisplayNameOf257CharactersIsRefused() {
        let input = PartnerRegistration(tenantId: guid, displayName: String(repeating: "a", count: 257), cloud: "global")
        do {
            _ = try input.validated()
            Issue.record("expected a validation error")
        } catch {
            #expect(error.field == "displayName")
            #expect(error.code == .tooLong)
        }
    }

    @Test func anUnknownCloudIsRefusedNamingTheChoices() {
        let input = PartnerRegistration(tenantId: guid, displayName: "Contoso", cloud: "germany")
        #expect(throws: DomainValidationError(
            field: "cloud", code: .unknownValue, message: "must be one of global, usgov, china")) { try input.validated() }
    }
}
