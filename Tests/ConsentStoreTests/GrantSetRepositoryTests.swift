import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

@Suite struct GrantSetRepositoryTests {
    let logger = TestDatabase.logger
    let appID = ApplicationID(UUID())

    func seed(_ repository: GrantSetRepository) async throws -> GrantSet {
        try await repository.seedIfEmpty(applicationID: appID, displayName: "CPV", graphScopes: ["Directory.Read.All"], logger: logger)
    }

    func actions(_ client: PostgresClient) async throws -> [String] {
        let rows = try await client.query("SELECT action FROM audit_events ORDER BY seq", logger: logger)
        var actions: [String] = []
        for try await action in rows.decode(String.self) { actions.append(action) }
        return actions
    }

    @Test func seedPublishesVersionOneWithGraphAndARM() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = GrantSetRepository(client: client, audit: TestAudit.writer)

            // when
            let seeded = try await seed(repository)

            // then
            #expect(seeded.version == 1)
            #expect(seeded.grants.map(\.enterpriseApplicationID) == [.microsoftGraph, .azureResourceManager])
            #expect(seeded.grant(for: .azureResourceManager)?.scopes == ["user_impersonation"])
            #expect(try await repository.current(logger: logger) == seeded)
            #expect(try await actions(client) == ["grant_set.published"])
        }
    }

    @Test func seedLeavesAnExistingGrantSetAlone() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = GrantSetRepository(client: client, audit: TestAudit.writer)
            _ = try await seed(repository)

            // when
            let again = try await seed(repository)

            // then
            #expect(again.version == 1)
            #expect(try await repository.all(logger: logger).count == 1)
            #expect(try await actions(client) == ["grant_set.published"])
        }
    }

    @Test func publishAddsTheNextVersionWithAnAuditEvent() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = GrantSetRepository(client: client, audit: TestAudit.writer)
            _ = try await seed(repository)
            let draft = GrantSetDraft(
                applicationID: appID.description, displayName: "CPV v2",
                grants: [.init(enterpriseApplicationID: ApplicationID.microsoftGraph.description, scope: "User.Read.All,Group.Read.All")])

            // when
            let published = try await repository.publish(try draft.validated(), actor: "staff:alice", logger: logger)

            // then
            #expect(published.version == 2)
            #expect(published.createdBy == "staff:alice")
            #expect(try await repository.current(logger: logger)?.version == 2)
            #expect(try await repository.all(logger: logger).map(\.version) == [2, 1])
            #expect(try await repository.grantSet(version: 1, logger: logger)?.displayName == "CPV")
            #expect(try await actions(client) == ["grant_set.published", "grant_set.published"])
        }
    }

    @Test func concurrentPublishersGetDistinctVersions() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = GrantSetRepository(client: client, audit: TestAudit.writer)
            let draft = try GrantSetDraft(
                applicationID: appID.description, displayName: "CPV",
                grants: [.init(enterpriseApplicationID: ApplicationID.microsoftGraph.description, scope: "User.Read")]).validated()

            // when
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await repository.publish(draft, actor: "staff:test", logger: logger).version }
                }
                var versions: [Int] = []
                for try await version in group { versions.append(version) }
                return versions
            }

            // then
            #expect(versions.sorted() == [1, 2, 3, 4, 5])
        }
    }
}
