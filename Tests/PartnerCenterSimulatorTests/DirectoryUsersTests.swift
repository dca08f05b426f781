import Foundation
import PartnerCenterSimulator
import Testing

/// The users the consent callback must tell apart (admins, plain members, Admin Agents, guests),
/// as Entra's tokens and Microsoft Graph show them, and RFC 9207's `iss` on the authorize redirect.
@Suite struct DirectoryUsersTests {
    static func world(groupMembershipClaims: String? = nil, graphScopes: [String]? = nil) -> SimulatorWorld {
        let app = SimulatedApplication(
            appId: "3f8a2c1e-9b7d-4e6f-a5c4-2d1b0e9f8a7c", displayName: "CPV", homeTenantId: "7d1f3c52-0b6e-4a8d-9c2f-5e4b3a2d1c0f",
            clientSecrets: [SimulatedClientSecret(value: "sim-secret")], redirectURIs: [SimulatorHarness.redirectURI],
            groupMembershipClaims: groupMembershipClaims, graphDelegatedScopes: graphScopes)
        return .generated(seed: 7, partners: 1, customersPerPartner: 1, application: app)
    }

    /// The id token and a Graph token of `user` (a UPN prefix in the partner's domain).
    func signIn(_ h: SimulatorHarness, _ user: String) async throws -> (idToken: [String: Any], graph: String) {
        let upn = "\(user)@\(h.partner.domain)"
        let (code, verifier, _) = try await h.authorize(loginHint: upn)
        let tokens = try await h.redeem(code: code, verifier: verifier)
        let refresh = tokens.json["refresh_token"] as? String ?? ""
        let graph = try await h.refresh(refresh, tenant: h.partner.tenantId, scope: "https://graph.microsoft.com/.default")
        return (SimulatorHarness.claims(tokens.json["id_token"] as? String ?? ""), graph.json["access_token"] as? String ?? "")
    }

    @Test func theAuthorizeRedirectNamesItsIssuer() async throws {
        try await SimulatorHarness.run { h in
            // when
            let (_, _, location) = try await h.authorize()
            // then
            #expect(location["iss"] == "https://login.microsoftonline.com/\(h.partner.tenantId)/v2.0")
        }
    }

    @Test func widsAppearOnlyWhenTheRegistrationAsksForThem() async throws {
        let withClaim = try await SimulatorHarness.run(world: Self.world(groupMembershipClaims: "DirectoryRole")) { h in
            try await signIn(h, "admin").idToken["wids"] as? [String]
        }
        let without = try await SimulatorHarness.run(world: Self.world()) { h in
            try await signIn(h, "admin").idToken["wids"] as? [String]
        }
        #expect(withClaim == [SimulatedUser.globalAdministrator])
        #expect(without == nil)
    }

    @Test func aGuestsTokensNameTheTenantTheyComeFrom() async throws {
        try await SimulatorHarness.run(world: Self.world()) { h in
            // when
            let (idToken, graph) = try await signIn(h, "guest_outside.example#EXT#")
            let me = try await h.get("/v1.0/me?$select=id,userPrincipalName,userType", bearer: graph)
            // then
            #expect((idToken["idp"] as? String)?.hasPrefix("https://sts.windows.net/") == true)
            #expect(idToken["tid"] as? String == h.partner.tenantId)
            #expect(me.json["userType"] as? String == "Guest")
        }
    }

    @Test func aMembersRolesAndGroupsNeedADirectoryReadPermissionToBeNamed() async throws {
        try await SimulatorHarness.run(world: Self.world()) { h in
            // when: User.Read only
            let limited = try await h.get("/v1.0/me/transitiveMemberOf", bearer: try await signIn(h, "admin").graph).json["value"] as? [[String: Any]] ?? []
            // then: a directory role, but not which
            #expect(limited.count == 1)
            #expect(limited.first?["@odata.type"] as? String == "#microsoft.graph.directoryRole")
            #expect(limited.first?["roleTemplateId"] == nil)
        }
        try await SimulatorHarness.run(world: Self.world(graphScopes: ["User.Read", "Directory.Read.All"])) { h in
            // when: with Directory.Read.All
            let full = try await h.get("/v1.0/me/transitiveMemberOf", bearer: try await signIn(h, "agent").graph).json["value"] as? [[String: Any]] ?? []
            // then
            #expect(full.first?["displayName"] as? String == "AdminAgents")
            #expect(full.first?["securityEnabled"] as? Bool == true)
        }
    }

    @Test func membershipsArePagedWithANextLink() async throws {
        var world = Self.world(graphScopes: ["Directory.Read.All"])
        world.partners[0].users.append(SimulatedUser(
            userPrincipalName: "busy@\(world.partners[0].domain)", objectId: "5d1f3c52-0b6e-4a8d-9c2f-5e4b3a2d1c0f", displayName: "Busy",
            groups: (1...5).map { "Group \($0)" }))
        try await SimulatorHarness.run(world: world) { h in
            // given
            let graph = try await signIn(h, "busy").graph
            // when
            let first = try await h.get("/v1.0/me/transitiveMemberOf?$top=3", bearer: graph)
            let next = try #require(first.json["@odata.nextLink"] as? String)
            let second = try await h.get(next, bearer: graph)
            // then
            #expect((first.json["value"] as? [Any])?.count == 3)
            #expect((second.json["value"] as? [Any])?.count == 2)
            #expect(second.json["@odata.nextLink"] == nil)
        }
    }

    @Test func meNeedsADelegatedToken() async throws {
        try await SimulatorHarness.run(world: Self.world()) { h in
            // given: an app-only Graph token
            let appOnly = try await h.form("/\(h.partner.tenantId)/oauth2/v2.0/token", [
                ("grant_type", "client_credentials"), ("client_id", h.app.appId), ("client_secret", "sim-secret"),
                ("scope", "https://graph.microsoft.com/.default"),
            ]).json["access_token"] as? String ?? ""
            // when
            let me = try await h.get("/v1.0/me", bearer: appOnly)
            // then
            #expect(me.status == 400)
        }
    }

    @Test func olderWorldFilesWithoutTheNewFieldsStillLoad() throws {
        let json = #"{"applications":[],"partners":[{"tenantId":"t","displayName":"P","domain":"p.example","adminUsers":[{"userPrincipalName":"a@p.example","objectId":"o","displayName":"A","didMFA":true}],"customers":[]}]}"#
        let world = try SimulatorWorld.decode(Data(json.utf8))
        #expect(world.partners[0].users.isEmpty)
        #expect(world.partners[0].adminUsers[0].userType == "Member")
    }
}
