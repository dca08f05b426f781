import ConsentDomain
import Foundation
import Testing

@Suite struct GrantSetTests {
    static let app = ApplicationID(UUID(uuid: (9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func scopeStringIsCommaJoinedWithoutSpaces() {
        let grant = ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All", "User.Read.All"])
        #expect(grant.scopeString == "Directory.Read.All,User.Read.All")
    }

    @Test func aGrantEncodesInPartnerCenterWireForm() throws {
        // given
        let grant = ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"])
        // when
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(grant), as: UTF8.self)
        // then
        #expect(json == #"{"enterpriseApplicationId":"797f4846-ba00-4fd7-ba43-dac1f8f63013","scope":"user_impersonation"}"#)
    }

    @Test func aGrantDecodesFromPartnerCenterWireForm() throws {
        let json = #"{"enterpriseApplicationId":"00000003-0000-0000-c000-000000000000","scope":"A.Read,B.Write"}"#
        let grant = try JSONDecoder().decode(ApplicationGrant.self, from: Data(json.utf8))
        #expect(grant == ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["A.Read", "B.Write"]))
    }

    @Test func seedIsVersionOneWithGraphAndARM() {
        // when
        let seed = GrantSet.seed(applicationID: Self.app, displayName: "CPV", graphScopes: ["Directory.Read.All"], createdAt: Self.now)
        // then
        #expect(seed.version == 1)
        #expect(seed.applicationID == Self.app)
        #expect(seed.grants == [
            ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All"]),
            ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"]),
        ])
    }

    @Test func grantForAResourceFindsIt() {
        let seed = GrantSet.seed(applicationID: Self.app, displayName: "CPV", graphScopes: ["X"], createdAt: Self.now)
        #expect(seed.grant(for: .azureResourceManager)?.scopes == ["user_impersonation"])
        #expect(seed.grant(for: .partnerCenter) == nil)
    }
}
