import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import PostgresNIO
import Testing

/// The API commands of `cpv` as a real process against the real server on loopback: each command
/// family's success and its failures' exit codes (docs/cli.md: 64 usage, 65 refused, 66 not found,
/// 69 unreachable, 77 token or role, 78 no token).
@Suite struct APICommandTests {
    static let unknownUUID = "6f1c2f4e-0000-4000-8000-00000000dead"
    static let partnerTenant = "0fab0000-0000-4000-8000-0000000000aa"

    @Test func partnersCommands() async throws {
        try await LiveServer.run { server in
            // when: an admin registers a partner
            let added = try await server.cpv("partners", "add", "--tenant-id", Self.partnerTenant, "--name", "Northwind", "--json", as: .admin)
            // then
            #expect(added.status == 0, "\(added.standardError)")
            let id = try #require(LiveServer.json(added.standardOutput)["id"] as? String)
            let list = try await server.cpv("partners", "list", as: .viewer)
            #expect(list.status == 0)
            #expect(list.standardOutput.hasPrefix("ID"))
            #expect(list.standardOutput.contains("Northwind"))
            let show = try await server.cpv("partners", "show", id, as: .viewer)
            #expect(show.standardOutput.contains(Self.partnerTenant))
            #expect(show.standardOutput.contains("pending_consent"))
            let disabled = try await server.cpv("partners", "disable", id, "--reason", "test", as: .admin)
            #expect(disabled.status == 0)
            #expect(disabled.standardOutput.lowercased().contains("disabled \(id.lowercased()) (was pending_consent)"))

            // and the failures
            let missing = try await server.cpv("partners", "show", Self.unknownUUID, as: .viewer)
            #expect(missing.status == 66)
            #expect(missing.standardError.hasPrefix("cpv: not_found"))
            let forbidden = try await server.cpv("partners", "add", "--tenant-id", Self.partnerTenant, "--name", "X", as: .viewer)
            #expect(forbidden.status == 77)
            let duplicate = try await server.cpv("partners", "add", "--tenant-id", Self.partnerTenant, "--name", "Again", as: .admin)
            #expect(duplicate.status == 65, "\(duplicate.standardError)")
            let sync = try await server.cpv("partners", "sync", Self.unknownUUID, as: .operator)
            #expect(sync.status == 66)
            let verify = try await server.cpv("partners", "verify", Self.unknownUUID, as: .operator)
            #expect(verify.status == 66)
            let badID = try await server.cpv("partners", "show", "not-a-uuid", as: .viewer)
            #expect(badID.status == 64)
        }
    }

    @Test func invitationCommands() async throws {
        try await LiveServer.run { server in
            // given: a registered partner (its first invitation comes with the registration)
            let added = try await server.cpv("partners", "add", "--tenant-id", Self.partnerTenant, "--name", "Northwind", "--json", as: .admin)
            let id = try #require(LiveServer.json(added.standardOutput)["id"] as? String)
            // when: an operator issues another, lists them, and revokes one
            let invited = try await server.cpv("partners", "invite", id, "--purpose", "onboarding", "--expires-in-days", "2", as: .operator)
            let listed = try await server.cpv("partners", "invitations", id, as: .viewer)
            let revoked = try await server.cpv("partners", "revoke-invitation", id, "1", as: .operator)
            let again = try await server.cpv("partners", "revoke-invitation", id, "1", as: .operator)
            let wrongPurpose = try await server.cpv("partners", "invite", id, "--purpose", "reconsent", as: .operator)
            // then
            #expect(invited.status == 0, "\(invited.standardError)")
            #expect(invited.standardOutput.contains("/consent/start?invitation=cpvi_"))
            #expect(listed.standardOutput.contains("onboarding"))
            #expect(!listed.standardOutput.contains("cpvi_"))
            #expect(revoked.standardOutput.contains("revoked invitation 1"))
            #expect(again.status == 65)
            #expect(wrongPurpose.status == 65)
            #expect(wrongPurpose.standardError.contains("purpose_does_not_fit"))
        }
    }

    @Test func customersCommands() async throws {
        try await LiveServer.run { server in
            // given: a partner with three customers, two granted and one failed
            let partner = try await Self.seedCustomers(server.database)
            // when
            let list = try await server.cpv("customers", "list", "--partner", partner.uuidString, "--state", "granted", "--json", as: .viewer)
            let table = try await server.cpv("customers", "list", "--limit", "2", as: .viewer)
            // then
            #expect(list.status == 0, "\(list.standardError)")
            let items = LiveServer.json(list.standardOutput)["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2)
            let id = try #require(items.first?["id"] as? Int)
            #expect(table.standardOutput.contains("Contoso 1"))
            #expect(table.standardOutput.contains("(more: --cursor "))
            let show = try await server.cpv("customers", "show", String(id), as: .viewer)
            #expect(show.status == 0)
            #expect(show.standardOutput.contains("granted"))
            #expect(show.standardOutput.contains("recent audit events:"))

            // and the failures
            let missing = try await server.cpv("customers", "show", "999999", as: .viewer)
            #expect(missing.status == 66)
            let badState = try await server.cpv("customers", "list", "--state", "bogus", as: .viewer)
            #expect(badState.status == 65)
            #expect(badState.standardError.hasPrefix("cpv: invalid_state"))
            let regrantForbidden = try await server.cpv("customers", "regrant", String(id), as: .viewer)
            #expect(regrantForbidden.status == 77)
            let regrantMissing = try await server.cpv("customers", "regrant", "999999", as: .operator)
            #expect(regrantMissing.status == 66)
        }
    }

    @Test func grantSetsCommands() async throws {
        try await LiveServer.run { server in
            // given: version 1 seeded at boot; a file with version 2
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("grant-set-\(UUID().uuidString).json")
            try Data(
                #"{"displayName":"CPV v2","grants":[{"enterpriseApplicationId":"00000003-0000-0000-c000-000000000000","scope":"Directory.Read.All"}]}"#
                    .utf8
            ).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            // when: one admin proposes, the other approves
            let proposed = try await server.cpv("grant-sets", "publish", "--file", file.path, as: .admin)
            let ownApproval = try await server.cpv("grant-sets", "approve", "1", as: .admin)
            let pending = try await server.cpv("grant-sets", "proposals", as: .viewer)
            let published = try await server.cpv(["grant-sets", "approve", "1"], token: server.secondAdminToken)
            // then
            #expect(proposed.status == 0, "\(proposed.standardError)")
            #expect(proposed.standardOutput.contains("as proposal 1"))
            #expect(ownApproval.status == 77)
            #expect(pending.standardOutput.contains("pending"))
            #expect(published.status == 0, "\(published.standardError)")
            #expect(published.standardOutput.contains("published grant set version 2 (1 grants)"))
            let list = try await server.cpv("grant-sets", "list", as: .viewer)
            #expect(list.standardOutput.contains("CPV v2"))
            let current = try await server.cpv("grant-sets", "show", "current", as: .viewer)
            #expect(current.standardOutput.contains("00000003-0000-0000-c000-000000000000  Directory.Read.All"))

            // and the failures
            let missing = try await server.cpv("grant-sets", "show", "99", as: .viewer)
            #expect(missing.status == 66)
            let forbidden = try await server.cpv("grant-sets", "publish", "--file", file.path, as: .operator)
            #expect(forbidden.status == 77)
            try Data(#"{"displayName":"empty","grants":[],"extra":1}"#.utf8).write(to: file)
            let invalid = try await server.cpv("grant-sets", "publish", "--file", file.path, as: .admin)
            #expect(invalid.status == 65)
            #expect(invalid.standardError.hasPrefix("cpv: unknown_field"))
        }
    }

    @Test func runsCommands() async throws {
        try await LiveServer.run { server in
            // given: a queued run over three customers (no workers run in this server)
            _ = try await Self.seedCustomers(server.database)
            let plan = try await RunRepository(client: server.database, audit: TestAudit.writer).create(.init(scope: .all), actor: "test", logger: TestDatabase.logger)
            let id = plan.run.id.uuidString.lowercased()
            // when / then
            let list = try await server.cpv("runs", "list", as: .viewer)
            #expect(list.status == 0, "\(list.standardError)")
            #expect(list.standardOutput.lowercased().contains(id))
            let show = try await server.cpv("runs", "show", id, as: .viewer)
            #expect(show.standardOutput.contains("counts    pending=3"))
            #expect(show.standardOutput.contains("dry run   no\n"), "a JSON boolean prints as yes/no: \(show.standardOutput)")
            #expect(show.standardOutput.contains("\nrate      0.0/s\n"), "the rate prints for people: \(show.standardOutput)")
            let tasks = try await server.cpv("runs", "tasks", id, "--status", "pending", "--json", as: .viewer)
            #expect((LiveServer.json(tasks.standardOutput)["tasks"] as? [Any])?.count == 3)
            let paused = try await server.cpv("runs", "pause", id, as: .operator)
            #expect(paused.standardOutput.lowercased() == "run \(id): paused\n")
            let resumed = try await server.cpv("runs", "resume", id, as: .operator)
            #expect(resumed.standardOutput.lowercased() == "run \(id): running\n")
            let cancelled = try await server.cpv("runs", "cancel", id, as: .operator)
            #expect(cancelled.standardOutput.lowercased() == "run \(id): cancelled\n")

            // and the failures
            let again = try await server.cpv("runs", "resume", id, as: .operator)
            #expect(again.status == 65)
            #expect(again.standardError.hasPrefix("cpv: illegal_run_transition"))
            let forbidden = try await server.cpv("runs", "pause", id, as: .viewer)
            #expect(forbidden.status == 77)
            let missing = try await server.cpv("runs", "show", Self.unknownUUID, as: .viewer)
            #expect(missing.status == 66)
        }
    }

    @Test func auditSearchAndTheAuthenticationExits() async throws {
        try await LiveServer.run { server in
            // given: an audited admin action
            let added = try await server.cpv("partners", "add", "--tenant-id", Self.partnerTenant, "--name", "Audited", as: .admin)
            #expect(added.status == 0)
            // when
            let search = try await server.cpv("audit", "search", "--action", "partner.registered", "--json", as: .viewer)
            // then
            #expect(search.status == 0, "\(search.standardError)")
            let items = LiveServer.json(search.standardOutput)["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect((items.first?["actor"] as? String)?.hasPrefix("staff:") == true)
            let table = try await server.cpv("audit", "search", as: .viewer)
            #expect(table.standardOutput.contains("partner.registered"))

            // and the failures
            let badSince = try await server.cpv("audit", "search", "--since", "yesterday", as: .viewer)
            #expect(badSince.status == 65)
            let noToken = try await server.cpv(["partners", "list"], token: nil)
            #expect(noToken.status == 78)
            let revoked = try await server.cpv(["partners", "list"], token: server.revokedToken)
            #expect(revoked.status == 77)
            let unreachable = try await CLIProcess.run(
                ["partners", "list"], environment: ["CPV_URL": "http://127.0.0.1:9", "CPV_TOKEN": server.tokens[.viewer] ?? ""])
            #expect(unreachable.status == 69)
            let badURL = try await CLIProcess.run(["runs", "list", "--url", "ftp://x", "--token", "t"], environment: [:])
            #expect(badURL.status == 64)
        }
    }

    /// Partner "Contoso partner" with customers Contoso 1 and 2 (granted) and Contoso 3 (failed).
    static func seedCustomers(_ client: PostgresClient) async throws -> UUID {
        let logger = TestDatabase.logger
        let partner = UUID()
        try await client.query(
            "INSERT INTO partners (id, tenant_id, display_name, cloud, status) VALUES (\(partner), gen_random_uuid(), 'Contoso partner', 'global', 'active')",
            logger: logger)
        try await client.query(
            "INSERT INTO customers (partner_id, tenant_id, company_name) SELECT \(partner), gen_random_uuid(), 'Contoso ' || g FROM generate_series(1, 3) g ORDER BY g",
            logger: logger)
        try await client.query(
            """
            INSERT INTO customer_consents (customer_id, state, grant_set_version, last_error_code)
            SELECT id, CASE WHEN company_name = 'Contoso 3' THEN 'failed' ELSE 'granted' END, 1,
                   CASE WHEN company_name = 'Contoso 3' THEN '900' END
            FROM customers WHERE partner_id = \(partner)
            """, logger: logger)
        return partner
    }
}
