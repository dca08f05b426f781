import CPVTestSupport
import ConsentStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// Report latency at scale: 1,000,000 customers and 5,000,000 audit events loaded with
/// `generate_series`, then p95 of each report and of audit search by customer. Not a unit test:
/// enabled only with `CPV_BENCH=1` (loading takes minutes); prints the figures.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CPV_BENCH"] == "1"))
struct ReportBenchmarkTests {
    static let customers = Int(ProcessInfo.processInfo.environment["CPV_BENCH_CUSTOMERS"] ?? "") ?? 1_000_000
    static let auditEvents = Int(ProcessInfo.processInfo.environment["CPV_BENCH_AUDIT"] ?? "") ?? 5_000_000

    static func load(_ client: PostgresClient, logger: Logger) async throws {
        let partners = 200
        try await client.query(
            """
            INSERT INTO partners (tenant_id, display_name, cloud, status, last_redeemed_at)
            SELECT gen_random_uuid(), 'Partner ' || g, 'global', CASE WHEN g % 50 = 0 THEN 'needs_reconsent' ELSE 'active' END,
                   now() - make_interval(days => (g % 90)::int)
            FROM generate_series(1, \(partners)) g
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO grant_sets (version, application_id, display_name, grants, created_by)
            VALUES (1, gen_random_uuid(), 'CPV', '[]', 'bench'), (2, gen_random_uuid(), 'CPV', '[]', 'bench')
            """, logger: logger)
        try await client.query(
            """
            INSERT INTO customers (partner_id, tenant_id, company_name, domain, removed_at)
            SELECT p.ids[1 + g % \(partners)], gen_random_uuid(), 'Company ' || g, 'company' || g || '.example',
                   CASE WHEN g % 100 = 0 THEN now() END
            FROM generate_series(1, \(customers)) g, (SELECT array_agg(id ORDER BY id) AS ids FROM partners) p
            """, logger: logger)
        // States: 80% granted (a quarter of them on the older grant set), 8% failed over 4 codes, 2% missing, 10% unknown.
        try await client.query(
            """
            INSERT INTO customer_consents (customer_id, state, grant_set_version, last_attempt_at, last_success_at, last_error_code, last_error)
            SELECT id,
                   CASE WHEN id % 100 < 80 THEN 'granted' WHEN id % 100 < 88 THEN 'failed' WHEN id % 100 < 90 THEN 'missing' ELSE 'unknown' END,
                   CASE WHEN id % 100 < 80 THEN (CASE WHEN id % 4 = 0 THEN 1 ELSE 2 END) END,
                   now() - make_interval(days => (id % 60)::int),
                   CASE WHEN id % 100 < 80 THEN now() - make_interval(days => (id % 60)::int) END,
                   CASE WHEN id % 100 BETWEEN 80 AND 89 THEN (ARRAY['900', '403', 'AADSTS65001', '429'])[1 + id % 4] END,
                   CASE WHEN id % 100 BETWEEN 80 AND 89 THEN 'simulated failure' END
            FROM customers
            """, logger: logger)
        // Audit rows inserted directly (the chain function would serialize 5M appends); hashes are
        // placeholders: this measures reads, not verification.
        try await client.query(
            """
            INSERT INTO audit_events (seq, occurred_at, actor, action, partner_id, customer_id, error_code, prev_hash, hash)
            SELECT g, now() - make_interval(secs => (\(auditEvents) - g)::float8), 'system:bench',
                   (ARRAY['consent.delete.requested', 'consent.post.succeeded', 'consent.post.failed', 'customer.synced'])[1 + g % 4],
                   NULL, 1 + (g * 7919) % \(customers), CASE WHEN g % 4 = 2 THEN '900' END, '\\x00'::bytea, '\\x00'::bytea
            FROM generate_series(1, \(auditEvents)) g
            """, logger: logger)
        try await client.query("ANALYZE", logger: logger)
    }

    static func p95(_ runs: Int, _ body: () async throws -> Void) async throws -> (p50: Double, p95: Double) {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        return (times[times.count / 2], times[min(times.count - 1, Int(Double(times.count) * 0.95))])
    }

    @Test func reportsAtScale() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            let logger = TestDatabase.logger
            let loadStart = ContinuousClock.now
            try await Self.load(client, logger: logger)
            print("bench: loaded \(Self.customers) customers and \(Self.auditEvents) audit events in \(ContinuousClock.now - loadStart)")
            let reports: [(String, () async throws -> Void)] = [
                ("consent-coverage", { _ = try await ConsentCoverageReport.run(client: client, logger: logger) }),
                ("missing-consent", { _ = try await MissingConsentReport.run(client: client, logger: logger) }),
                ("failures", { _ = try await FailuresReport.run(client: client, logger: logger) }),
                ("stale", { _ = try await StaleReport.run(days: 30, client: client, logger: logger) }),
                ("partner-token-health", { _ = try await PartnerTokenHealthReport.run(client: client, logger: logger) }),
            ]
            for (name, run) in reports {
                let (p50, p95) = try await Self.p95(20, run)
                print("bench: report \(name): p50 \(Int(p50)) ms, p95 \(Int(p95)) ms")
            }
            let audit = AuditQuery(client: client)
            var customer: Int64 = 1
            let (p50, p95) = try await Self.p95(200) {
                customer = (customer * 48271) % Int64(Self.customers) + 1
                _ = try await audit.search(AuditFilter(customerID: customer, limit: 100), logger: logger)
            }
            print("bench: audit search by customer: p50 \(String(format: "%.2f", p50)) ms, p95 \(String(format: "%.2f", p95)) ms")
            let customers = CustomerQuery(client: client)
            let (c50, c95) = try await Self.p95(50) {
                _ = try await customers.list(CustomerFilter(state: "failed", limit: 100), logger: logger)
            }
            print("bench: customers?state=failed first page: p50 \(String(format: "%.2f", c50)) ms, p95 \(String(format: "%.2f", c95)) ms")
        }
    }
}
