import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// Every report's numbers on a seeded dataset, through the route (JSON and CSV).
@Suite struct ReportTests {
    func app(_ client: PostgresClient) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        ReportRoutes(database: client).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: .viewer)))
        return Application(router: router)
    }

    /// `ReadAPITests.seed` plus: grant sets 1 and 2 (current 2); Contoso 3's success 40 days old;
    /// Beta's customers: one `missing`, one `failed` 900; removed Fabrikam `failed` X (not counted);
    /// Beta renamed with a comma and quotes; partner tokens: Alpha redeemed 80 days ago, Beta needs
    /// re-consent, Gamma redeemed yesterday, Delta disabled.
    static func seed(_ client: PostgresClient) async throws -> (a: UUID, b: UUID) {
        let logger = TestDatabase.logger
        let (a, b) = try await ReadAPITests.seed(client)
        try await client.query(
            """
            INSERT INTO grant_sets (version, application_id, display_name, grants, created_by)
            VALUES (1, gen_random_uuid(), 'CPV', '[]', 'test'), (2, gen_random_uuid(), 'CPV', '[]', 'test')
            """, logger: logger)
        try await client.query(
            "UPDATE customer_consents SET last_success_at = now() - interval '40 days' WHERE customer_id = (SELECT id FROM customers WHERE company_name = 'Contoso 3')",
            logger: logger)
        try await client.query(
            """
            INSERT INTO customer_consents (customer_id, state, last_attempt_at, last_error_code, last_error)
            SELECT id, CASE company_name WHEN 'Beta customer 1' THEN 'missing' WHEN 'Beta customer 2' THEN 'failed' ELSE 'failed' END,
                   now(), CASE company_name WHEN 'Beta customer 1' THEN '403' WHEN 'Beta customer 2' THEN '900' ELSE 'X' END,
                   'denied'
            FROM customers WHERE company_name IN ('Beta customer 1', 'Beta customer 2', 'Fabrikam 100%')
            """, logger: logger)
        try await client.query(
            """
            UPDATE partners SET display_name = 'Beta, "B" Inc.', status = 'needs_reconsent', last_token_error_code = 'AADSTS700082',
                   consented_at = now() - interval '100 days'
            WHERE id = \(b)
            """, logger: logger)
        try await client.query("UPDATE partners SET last_redeemed_at = now() - interval '80 days' WHERE id = \(a)", logger: logger)
        try await client.query(
            """
            INSERT INTO partners (tenant_id, display_name, cloud, status, last_redeemed_at)
            VALUES (gen_random_uuid(), 'Gamma', 'global', 'active', now() - interval '1 day'),
                   (gen_random_uuid(), 'Delta', 'global', 'disabled', now() - interval '200 days')
            """, logger: logger)
        return (a, b)
    }

    static func rows(_ body: [String: Any]) -> [[String: Any]] {
        body["rows"] as? [[String: Any]] ?? []
    }

    func get(_ http: some TestClientProtocol, _ uri: String) async throws -> [String: Any] {
        try await http.execute(uri: uri, method: .get) { ReadAPITests.json($0.body) }
    }

    @Test func consentCoverageCountsStatesAndTheCurrentShare() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            _ = try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                let rows = Self.rows(try await get(http, "/api/v1/reports/consent-coverage"))
                // then
                let alpha = rows.first { $0["partner_name"] as? String == "Alpha" }
                let beta = rows.first { ($0["partner_name"] as? String)?.hasPrefix("Beta") == true }
                #expect(rows.count == 4)
                #expect(alpha?["customers"] as? Int == 5)
                #expect(alpha?["granted"] as? Int == 4)
                #expect(alpha?["granted_current"] as? Int == 3)
                #expect(alpha?["failed"] as? Int == 1)
                #expect(alpha?["percent_granted_current"] as? Double == 60.0)
                #expect(alpha?["current_grant_set_version"] as? Int == 2)
                #expect(beta?["customers"] as? Int == 2)
                #expect(beta?["missing"] as? Int == 1)
                #expect(beta?["failed"] as? Int == 1)
                #expect(beta?["percent_granted_current"] as? Double == 0.0)
            }
        }
    }

    @Test func missingFailuresAndStaleListTheRightCustomers() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            _ = try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                let missing = Self.rows(try await get(http, "/api/v1/reports/missing-consent"))
                let failures = Self.rows(try await get(http, "/api/v1/reports/failures"))
                let stale30 = Self.rows(try await get(http, "/api/v1/reports/stale"))
                let stale60 = Self.rows(try await get(http, "/api/v1/reports/stale?days=60"))
                let badDays = try await get(http, "/api/v1/reports/stale?days=0")
                let staleFirst = Self.rows(try await get(http, "/api/v1/reports/stale?limit=1"))
                let badLimit = try await get(http, "/api/v1/reports/missing-consent?limit=0")

                // then
                #expect(missing.map { $0["company_name"] as? String } == ["Beta customer 1"])
                #expect(missing.first?["last_error_code"] as? String == "403")
                #expect(failures.count == 1)
                #expect(failures.first?["error_code"] as? String == "900")
                #expect(failures.first?["customers"] as? Int == 2)
                #expect(failures.first?["partners"] as? Int == 2)
                #expect(Set(stale30.compactMap { $0["company_name"] as? String }) == ["Contoso 3", "Contoso 4"])
                #expect(stale30.first { $0["company_name"] as? String == "Contoso 4" }?["reason"] as? String == "older_grant_set")
                #expect(stale30.first { $0["company_name"] as? String == "Contoso 3" }?["days_since_success"] as? Int == 40)
                #expect(stale60.map { $0["company_name"] as? String } == ["Contoso 4"])
                #expect(ReadAPITests.errorCode(badDays) == "invalid_days")
                #expect(staleFirst.map { $0["company_name"] as? String } == ["Contoso 3"])
                #expect(ReadAPITests.errorCode(badLimit) == "invalid_limit")
            }
        }
    }

    @Test func partnerTokenHealthIsSortedByUrgency() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            _ = try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                let rows = Self.rows(try await get(http, "/api/v1/reports/partner-token-health"))
                // then
                try #require(rows.count == 4)
                #expect(rows.map { $0["partner_name"] as? String } == [#"Beta, "B" Inc."#, "Alpha", "Gamma", "Delta"])
                #expect(rows[0]["last_token_error_code"] as? String == "AADSTS700082")
                #expect(rows[0]["days_left"] as? Int == -11)
                #expect(rows[1]["days_left"] as? Int == 9)
                #expect(rows[2]["days_left"] as? Int == 88)
            }
        }
    }

    @Test func csvHasAHeaderAndQuotesFields() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            _ = try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                let (type, text) = try await http.execute(uri: "/api/v1/reports/missing-consent?format=csv", method: .get) {
                    ($0.headers[.contentType], String(buffer: $0.body))
                }
                // then
                let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(type == "text/csv; charset=utf-8")
                #expect(lines.count == 2)
                #expect(lines.first?.hasPrefix("customer_id,partner_id,partner_name,tenant_id,company_name,") == true)
                #expect(lines.last?.contains(#","Beta, ""B"" Inc.","#) == true)
            }
        }
    }

    @Test func auditExportStreamsTheRangeAsCSVAndJSON() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            for index in 1...5 {
                try await TestAudit.writer.append(
                    AuditRecord(actor: "system:test", action: "test.\(index)", details: #"{"note":"a, \"b\""}"#), client: client,
                    logger: TestDatabase.logger)
            }
            try await app(client).test(.router) { http in
                // when
                let csv = try await http.execute(uri: "/api/v1/reports/audit-export?format=csv", method: .get) { String(buffer: $0.body) }
                let none = try await http.execute(uri: "/api/v1/reports/audit-export?format=csv&since=2999-01-01T00:00:00Z", method: .get) {
                    String(buffer: $0.body)
                }
                let json = try await http.execute(uri: "/api/v1/reports/audit-export", method: .get) {
                    (try? JSONSerialization.jsonObject(with: Data($0.body.readableBytesView))) as? [[String: Any]] ?? []
                }
                let unknown = try await http.execute(uri: "/api/v1/reports/nope", method: .get) { ($0.status, ReadAPITests.json($0.body)) }

                // then
                let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(lines.count == 6)
                #expect(lines.first?.hasPrefix("seq,occurred_at,actor,action,") == true)
                #expect(lines[1].hasPrefix("1,"))
                #expect(lines[1].contains(#""{""note"": ""a, \""b\""""}""#))
                #expect(none.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)
                #expect(json.map { $0["seq"] as? Int } == [1, 2, 3, 4, 5])
                #expect(unknown.0 == .notFound)
                #expect(ReadAPITests.errorCode(unknown.1) == "unknown_report")
            }
        }
    }
}
