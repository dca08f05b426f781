import CPVTestSupport
import ConsentDomain
import Foundation
import PostgresNIO
import Testing

@testable import ConsentStore

/// The keyed chain (migration 0010): whoever owns the database, without the key outside it, cannot
/// make a rewritten trail verify; the verifier trusts no database function and no missing head.
@Suite struct KeyedAuditChainTests {
    let logger = TestDatabase.logger

    func record(_ index: Int) -> AuditRecord {
        AuditRecord(
            actor: "staff:alice#\(index)", action: "consent.post.succeeded", partnerID: UUID(), customerID: Int64(index),
            httpMethod: "POST", urlPath: "/v1/customers/\(index)/applicationconsents",
            requestBody: #"{"b": [1, 2.50, 1e2], "a": "é\n\"q\"", "a": "last"}"#, responseStatus: 201,
            responseBody: "line one\r\n\tline two \u{01}", msRequestID: UUID(), durationMilliseconds: 42, details: #"{"attempt": 1}"#)
    }

    func append(_ count: Int, client: PostgresClient, writer: AuditWriter = TestAudit.writer) async throws {
        for index in 1...count { try await writer.append(record(index), client: client, logger: logger) }
    }

    func verify(_ client: PostgresClient, keys: AuditKeyRing = TestAudit.keys, unkeyed: Int64? = nil) async throws -> AuditChainVerifier.Report {
        try await AuditChainVerifier.verify(client: client, keys: keys, expectedUnkeyedEvents: unkeyed, logger: logger)
    }

    static func ring(_ entries: String) throws -> AuditKeyRing { try AuditKeyRing(parsing: Secret(entries)) }

    /// Migration 0002's canonical form, recreated by an attacker who owns the database.
    static let attackerRecomputesTheUnkeyedChain = [
        #"""
        CREATE FUNCTION attacker_canonical(e audit_events) RETURNS text LANGUAGE sql STABLE AS $f$
            SELECT jsonb_build_object(
                'seq', e.seq, 'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'actor', e.actor, 'action', e.action, 'partner_id', e.partner_id, 'customer_id', e.customer_id,
                'run_id', e.run_id, 'task_id', e.task_id, 'http_method', e.http_method, 'url_path', e.url_path,
                'request_body', e.request_body, 'response_status', e.response_status, 'response_body', e.response_body,
                'ms_request_id', e.ms_request_id, 'ms_correlation_id', e.ms_correlation_id, 'error_code', e.error_code,
                'duration_ms', e.duration_ms, 'details', e.details)::text
        $f$
        """#,
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "UPDATE audit_events SET actor = 'staff:mallory' WHERE seq = 2",
        #"""
        DO $f$
        DECLARE
            e audit_events;
            previous bytea := '\x';
        BEGIN
            FOR e IN SELECT * FROM audit_events ORDER BY seq LOOP
                e.prev_hash := previous;
                previous := sha256(previous || convert_to(attacker_canonical(e), 'UTF8'));
                UPDATE audit_events SET key_id = NULL, prev_hash = e.prev_hash, hash = previous WHERE seq = e.seq;
            END LOOP;
            UPDATE audit_chain_head SET last_hash = previous;
        END
        $f$
        """#,
    ]

    /// Runs `statements` one by one as the cluster's superuser (the extended protocol takes one at a time).
    func asSuperuser(_ url: DatabaseURL, _ statements: [String]) async throws {
        try await TestDatabase.asSuperuser(url) { admin in
            for statement in statements { try await admin.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        }
    }

    @Test func keyedEventsVerifyWithTheirKey() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            try await append(5, client: client)
            // when
            let report = try await verify(client, unkeyed: 0)
            // then
            #expect(report.isIntact, "\(String(describing: report.firstBreak))")
            #expect(report.checkedEvents == 5)
            #expect(report.unkeyedEvents == 0)
            #expect(report.lastHash.count == 64)
        }
    }

    @Test func anEventForgedWithoutTheKeyIsDetected() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: three genuine events, then one appended by someone who has the table but not the key
            try await append(3, client: client)
            let guessedKey = try Self.ring("testaudit1:" + Data(repeating: 0x42, count: 32).base64EncodedString())
            try await AuditWriter(keys: guessedKey).append(record(4), client: client, logger: logger)
            // when
            let report = try await verify(client)
            // then
            #expect(report.firstBreak?.seq == 4)
            #expect(report.firstBreak?.reason.contains("changed") == true)
        }
    }

    @Test func anOwnerWhoRecomputesTheUnkeyedChainIsDetected() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given
            try await append(6, client: client)
            // when: the owner edits event 2 and recomputes the whole chain the old, unkeyed way
            try await asSuperuser(url, Self.attackerRecomputesTheUnkeyedChain)
            // then: with the count of pre-upgrade events pinned (none here), the rewrite shows
            let report = try await verify(client, unkeyed: 0)
            #expect(!report.isIntact)
            #expect(report.firstBreak?.reason.contains("carry no audit key") == true)
        }
    }

    @Test func unkeyedEventsAfterKeyedOnesAreABreak() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given
            try await append(4, client: client)
            // when: rows 3 and 4 are rewritten as unkeyed ones chained onto row 2
            try await asSuperuser(
                url, ["ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", "UPDATE audit_events SET key_id = NULL WHERE seq >= 3"])
            // then
            let report = try await verify(client)
            #expect(report.firstBreak?.seq == 3)
            #expect(report.firstBreak?.reason.contains("no audit key") == true)
        }
    }

    @Test func aMissingChainHeadIsABreak() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given
            try await append(3, client: client)
            // when
            try await asSuperuser(url, ["DELETE FROM audit_chain_head"])
            // then
            let report = try await verify(client)
            #expect(report.firstBreak?.reason.contains("head is missing") == true)
        }
    }

    @Test func nothingIsAppendedWithoutAChainHead() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given
            try await asSuperuser(url, ["DELETE FROM audit_chain_head"])
            // when / then
            await #expect(throws: AuditWriteError.chainHeadMissing) {
                try await TestAudit.writer.append(record(1), client: client, logger: logger)
            }
        }
    }

    @Test func eventsOfARetiredKeyVerifyWhileItIsKeptAndBreakOnceItIsGone() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: events under the first key, then under a second one put first
            try await append(2, client: client)
            let second = "testaudit2:" + Data(repeating: 0x43, count: 32).base64EncodedString()
            let rotated = try Self.ring(second + "," + TestEnvironment.auditKeys)
            try await append(2, client: client, writer: AuditWriter(keys: rotated))
            // when
            let withBoth = try await verify(client, keys: rotated)
            let withNewOnly = try await verify(client, keys: try Self.ring(second))
            // then
            #expect(withBoth.isIntact)
            #expect(withNewOnly.firstBreak?.seq == 1)
            #expect(withNewOnly.firstBreak?.reason.contains("testaudit1, which is not configured") == true)
        }
    }

    @Test func eventsFromBeforeTheUpgradeStillVerifyAndAnEditAmongThemIsDetected() async throws {
        try await TestDatabase.withEmptyDatabase { client, _ in
            // given: a database at migration 0008 whose trail the database hashed itself
            let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
            try await MigrationRunner(files: files.filter { $0.version <= 8 }).migrate(client: client, logger: logger)
            for index in 1...4 {
                try await client.query(
                    """
                    SELECT audit_append(\("staff:ann \"o'neil\"\t\(index)"), 'legacy.event', \(UUID()), \(Int64(index)), NULL, NULL,
                        'POST', '/v1/x', \(#"{"z": {"n": 1.50, "s": "ü\u0001"}, "a": [true, null]}"#)::jsonb, 201, \("body\n\(index)"),
                        \(UUID()), NULL, NULL, 12, \(#"{"k": "v"}"#)::jsonb)
                    """, logger: logger)
            }
            // when: upgraded, and the service appends keyed events after them
            try await MigrationRunner(files: files).migrate(client: client, logger: logger)
            try await append(2, client: client)
            // then
            let report = try await verify(client, unkeyed: 4)
            #expect(report.isIntact, "\(String(describing: report.firstBreak))")
            #expect(report.unkeyedEvents == 4)
            #expect(report.checkedEvents == 6)
            try await client.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", logger: logger)
            try await client.query("UPDATE audit_events SET response_status = 500 WHERE seq = 3", logger: logger)
            #expect(try await verify(client).firstBreak?.seq == 3)
        }
    }

    @Test(arguments: [
        #"{"b": 1, "a": {"y": [1, 2.5, -0, 1e2, 1E-2], "x": null}}"#,
        #"{"s": "tab\there \u00e9 \ud83d\ude00 \/ \"q\" \\ \u001f", "s": "dup"}"#,
        #"[true, false, null, "", {}, []]"#,
        #"12345678901234567890"#,
        #""plain""#,
    ])
    func jsonKeepsItsCanonicalFormThroughJsonb(_ text: String) async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let written = try CanonicalJSON.canonical(text)
            // when
            var stored = ""
            for try await value in try await client.query("SELECT \(written)::jsonb::text", logger: logger).decode(String.self) {
                stored = value
            }
            // then
            #expect(try CanonicalJSON.canonical(stored) == written)
        }
    }

    @Test func canonicalJSONSortsKeysKeepsTheLastDuplicateAndNormalisesNumbers() throws {
        #expect(try CanonicalJSON.canonical(#" { "b" : 1.50 , "a" : [ 1e2 , -0 ] , "b" : 2 } "#) == #"{"a":[100,0],"b":2}"#)
        #expect(try CanonicalJSON.canonical(#""\u00e9\n""#) == "\"é\\u000a\"")
        #expect(throws: CanonicalJSON.Malformed.self) { try CanonicalJSON.canonical(#"{"a": }"#) }
        #expect(throws: CanonicalJSON.Malformed.self) { try CanonicalJSON.canonical(#""\ud800""#) }
    }
}
