import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// The read API on a seeded dataset: customers (filters, keyset pages), customer detail, audit
/// search and verification, and the stable codes of bad query parameters.
@Suite struct ReadAPITests {
    static let searchTenant = UUID(uuidString: "0fab0000-0000-4000-8000-000000000001") ?? UUID()

    func app(_ client: PostgresClient, role: StaffRole = .viewer) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        let api = router.group("api/v1").add(middleware: ActAsStaff(role: role))
        CustomerReadRoutes(customers: CustomerQuery(client: client), audit: AuditQuery(client: client), verifications: VerificationRepository(client: client)).register(on: api)
        AuditRoutes(
            audit: AuditQuery(client: client), verification: AuditVerification(client: client, keys: TestAudit.keys, expectedUnkeyedEvents: nil)
        ).register(on: api)
        return Application(router: router)
    }

    /// Partner A: 5 customers (3 granted on v2, 1 granted on v1, 1 failed, none removed) plus
    /// "Fabrikam" (removed, no consent row); partner B: 2 customers without consent rows.
    static func seed(_ client: PostgresClient) async throws -> (a: UUID, b: UUID) {
        let logger = TestDatabase.logger
        let a = UUID()
        let b = UUID()
        for (id, name) in [(a, "Alpha"), (b, "Beta")] {
            try await client.query(
                "INSERT INTO partners (id, tenant_id, display_name, cloud, status) VALUES (\(id), \(UUID()), \(name), 'global', 'active')",
                logger: logger)
        }
        try await client.query(
            """
            INSERT INTO customers (partner_id, tenant_id, company_name, domain)
            SELECT \(a), gen_random_uuid(), 'Contoso ' || g, 'contoso' || g || '.example' FROM generate_series(1, 5) g ORDER BY g
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO customers (partner_id, tenant_id, company_name, domain, removed_at)
            VALUES (\(a), \(searchTenant), 'Fabrikam 100%', 'fabrikam.example', now())
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO customers (partner_id, tenant_id, company_name)
            SELECT \(b), gen_random_uuid(), 'Beta customer ' || g FROM generate_series(1, 2) g ORDER BY g
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO customer_consents (customer_id, state, grant_set_version, last_success_at, last_error_code)
            SELECT id,
                   CASE WHEN company_name = 'Contoso 5' THEN 'failed' ELSE 'granted' END,
                   CASE WHEN company_name = 'Contoso 4' THEN 1 ELSE 2 END,
                   CASE WHEN company_name = 'Contoso 5' THEN NULL ELSE now() END,
                   CASE WHEN company_name = 'Contoso 5' THEN '900' END
            FROM customers WHERE partner_id = \(a) AND company_name LIKE 'Contoso %'
            """, logger: logger)
        return (a, b)
    }

    static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func items(_ body: [String: Any]) -> [[String: Any]] {
        body["items"] as? [[String: Any]] ?? []
    }

    static func errorCode(_ body: [String: Any]) -> String? {
        (body["error"] as? [String: Any])?["code"] as? String
    }

    @Test func customerPagesWalkEveryCustomerOnceInIdOrder() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            _ = try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                var ids: [Int] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let uri = "/api/v1/customers?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let body = try await http.execute(uri: uri, method: .get) { Self.json($0.body) }
                    ids += Self.items(body).compactMap { $0["id"] as? Int }
                    cursor = body["nextCursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 10

                // then
                #expect(ids.count == 8)
                #expect(ids == ids.sorted())
                #expect(Set(ids).count == 8)
                #expect(pages == 3)
            }
        }
    }

    @Test func customerFiltersCombine() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let (a, b) = try await Self.seed(client)
            try await app(client).test(.router) { http in
                func count(_ query: String) async throws -> Int {
                    try await http.execute(uri: "/api/v1/customers?\(query)", method: .get) { Self.items(Self.json($0.body)).count }
                }
                // when
                var counts: [(query: String, actual: Int, expected: Int)] = []
                counts.append(("partnerId=\(a)", try await count("partnerId=\(a)"), 6))
                counts.append(("partnerId=\(b)", try await count("partnerId=\(b)"), 2))
                counts.append(("partnerId=\(a)&state=granted", try await count("partnerId=\(a)&state=granted"), 4))
                counts.append(("state=granted&grantSetVersion=2", try await count("state=granted&grantSetVersion=2"), 3))
                counts.append(("state=failed", try await count("state=failed"), 1))
                counts.append(("state=unknown", try await count("state=unknown"), 3))
                counts.append(("removed=true", try await count("removed=true"), 1))
                counts.append(("removed=false", try await count("removed=false"), 7))
                counts.append(("q=FABRIKAM", try await count("q=FABRIKAM"), 1))
                counts.append(("q=100%25", try await count("q=100%25"), 1))
                counts.append(("q=%25", try await count("q=%25"), 1))
                counts.append(("q=\(Self.searchTenant)", try await count("q=\(Self.searchTenant)"), 1))
                counts.append(("q=contoso3.example", try await count("q=contoso3.example"), 1))

                // then
                for count in counts { #expect(count.actual == count.expected, "\(count.query)") }
            }
        }
    }

    @Test(arguments: [
        ("limit=0", "invalid_limit"), ("limit=501", "invalid_limit"), ("limit=abc", "invalid_limit"),
        ("cursor=garbage", "invalid_cursor"), ("state=sleepy", "invalid_state"), ("partnerId=42", "invalid_partner_id"),
        ("removed=yes", "invalid_removed"), ("grantSetVersion=0", "invalid_grant_set_version"),
    ])
    func badCustomerQueryParametersHaveStableCodes(query: String, code: String) async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client).test(.router) { http in
                // when
                let (status, body) = try await http.execute(uri: "/api/v1/customers?\(query)", method: .get) { ($0.status, Self.json($0.body)) }
                // then
                #expect(status == .badRequest)
                #expect(Self.errorCode(body) == code)
            }
        }
    }

    @Test func anAuditCursorIsRefusedByTheCustomerList() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            for index in 1...3 {
                try await TestAudit.writer.append(AuditRecord(actor: "system:test", action: "test.\(index)"), client: client, logger: TestDatabase.logger)
            }
            try await app(client).test(.router) { http in
                let cursor = try await http.execute(uri: "/api/v1/audit?limit=1", method: .get) { Self.json($0.body)["nextCursor"] as? String }
                // when
                let body = try await http.execute(uri: "/api/v1/customers?cursor=\(cursor ?? "")", method: .get) { Self.json($0.body) }
                // then
                #expect(cursor != nil)
                #expect(Self.errorCode(body) == "invalid_cursor")
            }
        }
    }

    @Test func customerDetailHasConsentAndRecentAudit() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let (a, _) = try await Self.seed(client)
            let rows = try await client.query("SELECT id FROM customers WHERE company_name = 'Contoso 5'", logger: TestDatabase.logger)
            let id = try await rows.collect().first?.decode(Int64.self) ?? 0
            for action in ["consent.delete.requested", "consent.post.failed"] {
                try await TestAudit.writer.append(
                    AuditRecord(actor: "system:grantor", action: action, partnerID: a, customerID: id, errorCode: "900"),
                    client: client, logger: TestDatabase.logger)
            }
            try await app(client).test(.router) { http in
                // when
                let body = try await http.execute(uri: "/api/v1/customers/\(id)", method: .get) { Self.json($0.body) }
                let missing = try await http.execute(uri: "/api/v1/customers/999999", method: .get) { ($0.status, Self.json($0.body)) }
                let invalid = try await http.execute(uri: "/api/v1/customers/abc", method: .get) { Self.json($0.body) }

                // then
                let consent = (body["customer"] as? [String: Any])?["consent"] as? [String: Any]
                #expect(consent?["state"] as? String == "failed")
                #expect(consent?["lastErrorCode"] as? String == "900")
                let audit = body["recentAudit"] as? [[String: Any]] ?? []
                #expect(audit.map { $0["action"] as? String } == ["consent.post.failed", "consent.delete.requested"])
                #expect(missing.0 == .notFound)
                #expect(Self.errorCode(missing.1) == "not_found")
                #expect(Self.errorCode(invalid) == "invalid_customer_id")
            }
        }
    }

    @Test func auditSearchIsNewestFirstFilteredAndPaged() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: 7 events, 4 of them for customer 11
            let partner = UUID()
            for index in 1...7 {
                try await TestAudit.writer.append(
                    AuditRecord(
                        actor: "system:test", action: index.isMultiple(of: 2) ? "even" : "odd", partnerID: partner,
                        customerID: index <= 4 ? 11 : 12, details: #"{"n":\#(index)}"#),
                    client: client, logger: TestDatabase.logger)
            }
            try await app(client).test(.router) { http in
                func seqs(_ query: String) async throws -> ([Int], String?) {
                    try await http.execute(uri: "/api/v1/audit?\(query)", method: .get) {
                        let body = Self.json($0.body)
                        return (Self.items(body).compactMap { $0["seq"] as? Int }, body["nextCursor"] as? String)
                    }
                }
                // when
                let all = try await seqs("")
                let customer = try await seqs("customerId=11")
                let even = try await seqs("action=even&partnerId=\(partner)")
                let first = try await seqs("limit=3")
                let second = try await seqs("limit=3&cursor=\(first.1 ?? "")")
                let future = try await seqs("since=2999-01-01T00:00:00Z")
                let past = try await seqs("until=2000-01-01T00:00:00.000Z")
                let badDate = try await http.execute(uri: "/api/v1/audit?since=yesterday", method: .get) { Self.json($0.body) }

                // then
                #expect(all.0 == [7, 6, 5, 4, 3, 2, 1])
                #expect(all.1 == nil)
                #expect(customer.0 == [4, 3, 2, 1])
                #expect(even.0 == [6, 4, 2])
                #expect(first.0 == [7, 6, 5])
                #expect(second.0 == [4, 3, 2])
                #expect(future.0.isEmpty)
                #expect(past.0.isEmpty)
                #expect(Self.errorCode(badDate) == "invalid_since")
            }
        }
    }

    @Test func auditVerifyReportsAnIntactChain() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            for index in 1...3 {
                try await TestAudit.writer.append(AuditRecord(actor: "system:test", action: "test.\(index)"), client: client, logger: TestDatabase.logger)
            }
            try await app(client).test(.router) { http in
                // when
                let body = try await http.execute(uri: "/api/v1/audit/verify", method: .get) { Self.json($0.body) }
                // then
                #expect(body["intact"] as? Bool == true)
                #expect(body["checkedEvents"] as? Int == 3)
                #expect(body["lastSeq"] as? Int == 3)
            }
        }
    }
}
