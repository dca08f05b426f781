import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

/// `cpv db roles`: the application role reads and appends to the audit trail and can do nothing
/// else to it. Every migrated test database is set up this way (TestDatabase); these tests use
/// roles of their own, named per test, because roles are shared by the whole cluster.
@Suite struct DatabaseRolesTests {
    let logger = TestDatabase.logger

    /// Fresh role names for one test, dropped afterwards with the database.
    static func uniqueRoles() throws -> DatabaseRoles {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        return try DatabaseRoles(owner: "cpv_rt_\(suffix)_owner", application: "cpv_rt_\(suffix)_app")
    }

    /// An empty database set up with `roles` (before or after migrating), then `body` as the application role.
    func withRoles(migrateFirst: Bool = false, _ body: (PostgresClient, DatabaseRoles) async throws -> Void) async throws {
        let roles = try Self.uniqueRoles()
        let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
        let server = try TestDatabase.serverURL()
        do {
            try await TestDatabase.withEmptyDatabase { admin, url in
                if migrateFirst { try await MigrationRunner(files: files).migrate(client: admin, logger: logger) }
                try await roles.apply(client: admin, logger: logger)
                if !migrateFirst {
                    try await withPostgresClient(Self.url(url, as: roles.owner).clientConfiguration(), logger: logger) { owner in
                        try await MigrationRunner(files: files).migrate(client: owner, logger: logger)
                    }
                }
                try await withPostgresClient(Self.url(url, as: roles.application).clientConfiguration(), logger: logger) { app in
                    try await body(app, roles)
                }
            }
        } catch {
            try? await dropRoles(roles, server: server)
            throw error
        }
        try await dropRoles(roles, server: server)
    }

    static func url(_ url: DatabaseURL, as user: String) -> DatabaseURL {
        var copy = url
        copy.username = user
        copy.password = nil
        return copy
    }

    func dropRoles(_ roles: DatabaseRoles, server: DatabaseURL) async throws {
        try await withPostgresClient(server.clientConfiguration(), logger: logger) { admin in
            for role in [roles.application, roles.owner] {
                try await admin.query("DROP ROLE IF EXISTS \(unescaped: "\"\(role)\"")", logger: logger)
            }
        }
    }

    static let forbidden = [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "CREATE OR REPLACE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "DELETE FROM audit_chain_head",
        "UPDATE schema_migrations SET checksum = 'x'",
    ]

    @Test(arguments: forbidden)
    func theApplicationRoleCannotAlterTheAuditTrail(_ statement: String) async throws {
        try await withRoles { app, _ in
            // given: an event the service appended
            try await TestAudit.writer.append(AuditRecord(actor: "system:test", action: "test.event"), client: app, logger: logger)
            // when
            let error = await #expect(throws: PSQLError.self) {
                try await app.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            // then: refused for want of privilege, and the trail is as it was
            #expect(error?.serverInfo?[.sqlState] == "42501")
            #expect(try await AuditChainVerifier.verify(client: app, keys: TestAudit.keys, logger: logger).isIntact)
        }
    }

    @Test func theApplicationRoleDoesTheServicesWork() async throws {
        try await withRoles { app, _ in
            // given
            let partners = PartnerRepository(client: app, audit: TestAudit.writer)
            // when
            let partner = try await partners.register(
                try PartnerRegistration(tenantId: UUID().uuidString, displayName: "Role test", cloud: "global").validated(),
                actor: "staff:test#1", logger: logger)
            _ = try await partners.disable(partnerID: partner.id, reason: nil, actor: "staff:test#1", logger: logger)
            // then
            #expect(try await DatabaseRoles.auditSeparationProblems(client: app, logger: logger).isEmpty)
            #expect(try await AuditChainVerifier.verify(client: app, keys: TestAudit.keys, logger: logger).checkedEvents == 2)
        }
    }

    @Test func rolesSetUpAfterTheMigrationsTakeOverTheirObjects() async throws {
        try await withRoles(migrateFirst: true) { app, _ in
            // given: the tables were created by the superuser, then handed over
            // when
            let problems = try await DatabaseRoles.auditSeparationProblems(client: app, logger: logger)
            // then
            #expect(problems.isEmpty)
            await #expect(throws: PSQLError.self) {
                try await app.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", logger: logger)
            }
        }
    }

    @Test func applyingTheRolesTwiceChangesNothing() async throws {
        try await withRoles { app, roles in
            // given / when
            try await TestDatabase.asSuperuser(try TestDatabase.serverURL().with(database: try await Self.database(app))) { admin in
                try await roles.apply(client: admin, logger: logger)
            }
            // then
            #expect(try await DatabaseRoles.auditSeparationProblems(client: app, logger: logger).isEmpty)
        }
    }

    @Test func theServicesOwnConnectionIsReportedWhenItCouldRewriteTheTrail() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            // given / when: the superuser, who may do anything
            let problems = try await TestDatabase.asSuperuser(url) { admin in
                try await DatabaseRoles.auditSeparationProblems(client: admin, logger: logger)
            }
            // then
            #expect(problems.contains { $0.contains("superuser") })
        }
    }

    @Test func aRoleNameThatWouldNeedQuotingIsRefused() {
        #expect(throws: DatabaseRolesError.invalidName("cpv\"; DROP")) {
            try DatabaseRoles(owner: "cpv\"; DROP", application: "cpv_app")
        }
        #expect(throws: DatabaseRolesError.sameRole) { try DatabaseRoles(owner: "cpv", application: "cpv") }
    }

    static func database(_ client: PostgresClient) async throws -> String {
        for try await name in try await client.query("SELECT current_database()", logger: TestDatabase.logger).decode(String.self) {
            return name
        }
        throw TestDatabaseError("no current database")
    }
}
