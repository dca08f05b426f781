import ConsentDomain
import Foundation
import Testing

/// Who may consent for a partner (issue #14, item 3), decided without Entra or Graph.
@Suite struct ConsentingUserTests {
    static let tenant = TenantID(UUID(uuidString: "6e3b6f2c-1a7b-4d4b-9c55-3b1f1a2d8e01") ?? UUID())
    static let globalAdministrator = ConsentingUser.Membership(
        kind: .directoryRole, displayName: "Global Administrator", roleTemplateID: ConsentingUser.globalAdministrator)

    func user(
        tenant: String? = tenant.description, amr: [String] = ["pwd", "mfa"], wids: [String]? = nil, idp: String? = nil,
        userType: String? = "Member", memberships: [ConsentingUser.Membership]? = []
    ) -> ConsentingUser {
        ConsentingUser(
            tenantID: tenant, authenticationMethods: amr, directoryRoles: wids, identityProvider: idp, userType: userType,
            memberships: memberships)
    }

    @Test func aGlobalAdministratorInWidsMayConsent() {
        #expect(user(wids: [ConsentingUser.globalAdministrator.uppercased()], memberships: nil).refusal(partnerTenant: Self.tenant) == nil)
    }

    @Test func aGlobalAdministratorReadThroughGraphMayConsent() {
        #expect(user(memberships: [Self.globalAdministrator]).refusal(partnerTenant: Self.tenant) == nil)
    }

    @Test func anAdminAgentMayConsent() {
        let agents = ConsentingUser.Membership(kind: .group, displayName: "AdminAgents", securityEnabled: true)
        #expect(user(memberships: [agents]).refusal(partnerTenant: Self.tenant) == nil)
    }

    @Test func aMicrosoft365GroupNamedAdminAgentsIsNotEnough() {
        let lookalike = ConsentingUser.Membership(kind: .group, displayName: "AdminAgents", securityEnabled: false)
        #expect(user(memberships: [lookalike]).refusal(partnerTenant: Self.tenant) == .notAnAdmin)
    }

    @Test func aPlainMemberMayNot() {
        let helpdesk = ConsentingUser.Membership(kind: .directoryRole, displayName: "Helpdesk Administrator", roleTemplateID: "729827e3-9c14-49f7-bb1b-9608f156bbb8")
        #expect(user(memberships: [helpdesk]).refusal(partnerTenant: Self.tenant) == .notAnAdmin)
    }

    @Test func aGuestMayNotEvenAsGlobalAdministrator() {
        #expect(user(wids: [ConsentingUser.globalAdministrator], userType: "Guest").refusal(partnerTenant: Self.tenant) == .guest)
    }

    @Test func aUserAuthenticatedByAnotherTenantIsAGuestBeforeGraphIsAsked() {
        let other = "https://sts.windows.net/0a6f0000-0000-4000-8000-000000000001/"
        #expect(user(idp: other).tokenRefusal(partnerTenant: Self.tenant) == .guest)
        #expect(user(idp: "https://sts.windows.net/\(Self.tenant)/").tokenRefusal(partnerTenant: Self.tenant) == nil)
    }

    @Test func rolesGraphWithheldAreUnverifiableNotRefused() {
        let withheld = ConsentingUser.Membership(kind: .directoryRole)
        #expect(user(memberships: [withheld]).refusal(partnerTenant: Self.tenant) == .adminUnverifiable)
    }

    @Test func anUnknownUserTypeIsUnverifiable() {
        #expect(user(wids: [ConsentingUser.globalAdministrator], userType: nil).refusal(partnerTenant: Self.tenant) == .adminUnverifiable)
    }

    @Test func anotherTenantAndNoMFAAreRefusedFirst() {
        #expect(user(tenant: "0a6f0000-0000-4000-8000-000000000001", memberships: [Self.globalAdministrator]).refusal(partnerTenant: Self.tenant) == .tenantMismatch)
        #expect(user(amr: ["pwd"], memberships: [Self.globalAdministrator]).refusal(partnerTenant: Self.tenant) == .mfaMissing)
    }
}

/// What an invitation is for fits the partner's status, and nothing fits a disabled partner.
@Suite struct ConsentPurposeTests {
    @Test func onboardingFitsOnlyAPendingPartnerAndReconsentOnlyOneWithAToken() {
        #expect(PartnerStatus.allCases.filter { ConsentPurpose.onboarding.allows($0) } == [.pendingConsent])
        #expect(Set(PartnerStatus.allCases.filter { ConsentPurpose.reconsent.allows($0) }) == [.active, .needsReconsent])
        #expect(ConsentPurpose.fitting(.disabled) == nil)
    }
}

/// The most a grant set may ask for (issue #14, item 11).
@Suite struct GrantCeilingTests {
    @Test func scopesAboveTheCeilingAreNamedAndCaseDoesNotMatter() throws {
        let ceiling = try #require(GrantCeiling(parsing: "00000003-0000-0000-c000-000000000000=Directory.Read.All, User.Read"))
        let grants = [
            ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["directory.read.all", "Directory.ReadWrite.All"]),
            ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"]),
        ]
        #expect(ceiling.excess(of: grants).map(\.description) == [
            "00000003-0000-0000-c000-000000000000: Directory.ReadWrite.All",
            "797f4846-ba00-4fd7-ba43-dac1f8f63013 (no scope of it is allowed)",
        ])
    }

    @Test func aMalformedCeilingIsRefused() {
        #expect(GrantCeiling(parsing: "graph=everything") == nil)
        #expect(GrantCeiling(parsing: "00000003-0000-0000-c000-000000000000=") == nil)
        #expect(GrantCeiling(parsing: "") == nil)
    }
}
