import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Publishing a grant set takes two admins and stays within the ceiling (issue #14, item 11).
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct GrantSetRoutesTests {
    static let graph = "00000003-0000-0000-c000-000000000000"

    static func proposal(_ scope: String, resource: String = graph, name: String = "CPV v2") -> String {
        #"{"applicationId":"\#(TestEnvironment.applicationID)","displayName":"\#(name)","grants":[{"enterpriseApplicationId":"\#(resource)","scope":"\#(scope)"}]}"#
    }

    /// A second admin's token (the harness's own is "test-admin").
    static func secondAdmin(_ h: IdentityHarness, name: String = "second-admin") async throws -> String {
        try await StaffTokenRepository(client: h.database, audit: TestAudit.writer)
            .create(name: name, role: .admin, createdBy: "test", logger: h.logger).1.revealed
    }

    static func versions(_ h: IdentityHarness) async throws -> [Int] {
        let (_, body) = try await h.api(.get, "/api/v1/grant-sets")
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (object?["items"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } ?? []
    }

    @Test func aProposalIsPublishedOnlyOnceASecondAdminApprovesIt() async throws {
        try await IdentityHarness.run { h in
            // given
            let second = try await Self.secondAdmin(h)
            let before = try await Self.versions(h)
            let (proposed, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            let id = try #require(IdentityHarness.number("id", in: body))
            #expect(proposed == .accepted)
            #expect(try await Self.versions(h) == before)
            // when
            let (approved, answer) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/approve", token: second)
            // then
            #expect(approved == .ok)
            #expect(answer.contains(#""status":"approved""#))
            #expect(try await Self.versions(h) == [(before.first ?? 0) + 1] + before)
            #expect(try await h.auditActions().suffix(3) == ["grant_set.proposed", "grant_set.published", "grant_set.approved"])
        }
    }

    @Test func theAdminWhoProposedCannotApprove() async throws {
        try await IdentityHarness.run { h in
            // given
            let before = try await Self.versions(h)
            let (_, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            let id = try #require(IdentityHarness.number("id", in: body))
            // when
            let (status, answer) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/approve")
            // then
            #expect(status == .forbidden)
            #expect(answer.contains("second admin"))
            #expect(try await Self.versions(h) == before)
        }
    }

    @Test func aSecondTokenOfTheSameNameCannotApproveEither() async throws {
        try await IdentityHarness.run { h in
            // given: the proposer's name on another token (after revoking the first, names are reusable)
            let (_, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            let id = try #require(IdentityHarness.number("id", in: body))
            _ = try await StaffTokenRepository(client: h.database, audit: TestAudit.writer).revoke(id: 1, actor: "test", logger: h.logger)
            let sameName = try await Self.secondAdmin(h, name: "Test-Admin")
            // when
            let (status, _) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/approve", token: sameName)
            // then
            #expect(status == .forbidden)
        }
    }

    @Test func aGrantAboveTheCeilingIsRefused() async throws {
        try await IdentityHarness.run { h in
            // when: a Graph scope the ceiling (here: the seeded scopes) does not hold
            let (status, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All,RoleManagement.ReadWrite.Directory"))
            // then
            #expect(status == .unprocessableContent)
            #expect(body.contains(#""code":"grant_above_ceiling""#))
            #expect(body.contains("RoleManagement.ReadWrite.Directory"))
        }
    }

    @Test func theCeilingIsCheckedAgainAtApproval() async throws {
        let ceiling = "\(Self.graph)=Directory.Read.All;797f4846-ba00-4fd7-ba43-dac1f8f63013=user_impersonation"
        try await IdentityHarness.run(environment: { _ in ["CPV_GRANT_CEILING": ceiling, "CPV_GRAPH_SCOPES": "Directory.Read.All"] }) { h in
            // given: a proposal within the ceiling of the time, then a stored one above it
            let before = try await Self.versions(h)
            let (_, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            let id = try #require(IdentityHarness.number("id", in: body))
            try await h.database.query(
                "UPDATE grant_set_proposals SET grants = jsonb_set(grants, '{0,scope}', '\"Directory.ReadWrite.All\"') WHERE id = \(Int64(id))",
                logger: h.logger)
            // when
            let (status, answer) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/approve", token: try await Self.secondAdmin(h))
            // then
            #expect(status == .unprocessableContent)
            #expect(answer.contains("grant_above_ceiling"))
            #expect(try await Self.versions(h) == before)
        }
    }

    @Test func oneProposalIsOpenAtATime() async throws {
        try await IdentityHarness.run { h in
            // given
            _ = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            // when
            let (status, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("User.ReadWrite.All"))
            // then
            #expect(status == .conflict)
            #expect(body.contains("proposal_open"))
        }
    }

    @Test func aRejectedProposalPublishesNothingAndCannotBeApproved() async throws {
        try await IdentityHarness.run { h in
            // given
            let before = try await Self.versions(h)
            let (_, body) = try await h.api(.post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read.All"))
            let id = try #require(IdentityHarness.number("id", in: body))
            let second = try await Self.secondAdmin(h)
            // when
            let (rejected, _) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/reject", token: second, json: #"{"reason":"too broad"}"#)
            let (approved, answer) = try await h.api(.post, "/api/v1/grant-sets/proposals/\(id)/approve", token: second)
            // then
            #expect(rejected == .ok)
            #expect(approved == .conflict)
            #expect(answer.contains("proposal_decided"))
            #expect(try await Self.versions(h) == before)
        }
    }

    @Test func theLegacyAzureADGraphIsRefusedWithTheField() async throws {
        try await IdentityHarness.run { h in
            // when
            let (status, body) = try await h.api(
                .post, "/api/v1/grant-sets", json: Self.proposal("Directory.Read", resource: "00000002-0000-0000-c000-000000000000"))
            // then
            #expect(status == .unprocessableContent)
            #expect(body.contains(#""code":"validation_failed""#))
            #expect(body.contains(#""field":"grants[0].enterpriseApplicationId""#))
        }
    }
}

/// Stands in for `StaffAuthMiddleware`: every request is made by a staff member with `role`.
struct ActAsStaff: RouterMiddleware {
    typealias Context = AppRequestContext
    let role: StaffRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.staff = StaffMember(tokenID: 1, name: "test", role: role)
        return try await next(request, context)
    }
}
