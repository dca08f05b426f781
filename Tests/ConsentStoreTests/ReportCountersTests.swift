import CPVTestSupport
import ConsentStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The report counters of migration 0008 (`consent_coverage_counts`, `run_task_counts`) equal a
/// fresh count of the rows they summarize after every kind of change their triggers must follow.
@Suite struct ReportCountersTests {
    static let logger = TestDatabase.logger

    static func coverageDrift(_ client: PostgresClient) async throws -> (kept: [String], counted: [String]) {
        func lines(_ query: PostgresQuery) async throws -> [String] {
            let rows = try await client.query(query, logger: logger)
            var result: [String] = []
            for try await line in rows.decode(String.self) { result.append(line) }
            return result
        }
        let kept = try await lines(
            """
            SELECT concat_ws('|', partner_id, state, grant_set_version, error_code, customers) FROM consent_coverage_counts
            WHERE customers <> 0 ORDER BY partner_id, state, grant_set_version, error_code
            """)
        let counted = try await lines(
            """
            SELECT concat_ws('|', partner_id, state, version, code, n) FROM (
                SELECT c.partner_id, coalesce(cc.state, 'unknown') AS state, coalesce(cc.grant_set_version, 0) AS version,
                       CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END AS code, count(*) AS n
                FROM customers c LEFT JOIN customer_consents cc ON cc.customer_id = c.id
                WHERE c.removed_at IS NULL GROUP BY 1, 2, 3, 4
            ) t ORDER BY partner_id, state, version, code
            """)
        return (kept, counted)
    }

    @Test func coverageCountersFollowEveryChange() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            let a = UUID()
            let b = UUID()
            let steps: [(String, PostgresQuery)] = [
                ("partners", "INSERT INTO partners (id, tenant_id, display_name, cloud, status) VALUES (\(a), gen_random_uuid(), 'A', 'global', 'active'), (\(b), gen_random_uuid(), 'B', 'global', 'active')"),
                ("customers, one removed", "INSERT INTO customers (partner_id, tenant_id, company_name, removed_at) SELECT CASE WHEN g % 2 = 0 THEN \(a) ELSE \(b) END, gen_random_uuid(), 'C' || g, CASE WHEN g = 10 THEN now() END FROM generate_series(1, 10) g"),
                ("consents", "INSERT INTO customer_consents (customer_id, state, grant_set_version, last_error_code) SELECT id, CASE WHEN id % 3 = 0 THEN 'failed' ELSE 'granted' END, CASE WHEN id % 3 = 0 THEN NULL ELSE 1 END, CASE WHEN id % 3 = 0 THEN '900' END FROM customers WHERE id <= 8"),
                ("states and versions", "UPDATE customer_consents SET state = 'granted', grant_set_version = 2 WHERE customer_id IN (1, 2, 3)"),
                ("an error code only", "UPDATE customer_consents SET last_error_code = 'AADSTS65001' WHERE state = 'failed'"),
                ("a failure without code", "UPDATE customer_consents SET state = 'failed', last_error_code = NULL WHERE customer_id = 4"),
                ("nothing counted", "UPDATE customers SET last_seen_at = now()"),
                ("a removal", "UPDATE customers SET removed_at = now() WHERE id = 1"),
                ("a return", "UPDATE customers SET removed_at = NULL WHERE id = 10"),
                ("a consent of a removed customer", "UPDATE customer_consents SET state = 'missing' WHERE customer_id = 1"),
                ("a move between partners", "UPDATE customers SET partner_id = \(a) WHERE id IN (3, 5)"),
                ("a consent deleted", "DELETE FROM customer_consents WHERE customer_id = 2"),
                ("a customer deleted", "DELETE FROM customers WHERE id = 9"),
                ("an upsert", "INSERT INTO customer_consents (customer_id, state) VALUES (7, 'revoked'), (10, 'granting') ON CONFLICT (customer_id) DO UPDATE SET state = excluded.state"),
            ]
            for (name, statement) in steps {
                // when
                try await client.query(statement, logger: Self.logger)
                // then
                let (kept, counted) = try await Self.coverageDrift(client)
                #expect(kept == counted, "after \(name)")
            }
            let (kept, _) = try await Self.coverageDrift(client)
            #expect(kept.count >= 4)
        }
    }

    @Test func runTaskCountersFollowEveryChange() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            let partner = UUID()
            let run = UUID()
            let steps: [(String, PostgresQuery)] = [
                ("partner", "INSERT INTO partners (id, tenant_id, display_name, cloud, status) VALUES (\(partner), gen_random_uuid(), 'A', 'global', 'active')"),
                ("customers", "INSERT INTO customers (partner_id, tenant_id, company_name) SELECT \(partner), gen_random_uuid(), 'C' || g FROM generate_series(1, 6) g"),
                ("run", "INSERT INTO runs (id, scope, requested_by) VALUES (\(run), '{\"all\": true}', 'test')"),
                ("tasks", "INSERT INTO run_tasks (run_id, customer_id, partner_id) SELECT \(run), id, \(partner) FROM customers"),
                ("leases", "UPDATE run_tasks SET status = 'leased' WHERE customer_id <= 4"),
                ("outcomes", "UPDATE run_tasks SET status = CASE WHEN customer_id = 1 THEN 'failed' ELSE 'succeeded' END WHERE status = 'leased'"),
                ("no status change", "UPDATE run_tasks SET attempts = attempts + 1"),
                ("cancel", "UPDATE run_tasks SET status = 'cancelled' WHERE status = 'pending'"),
                ("delete", "DELETE FROM run_tasks WHERE customer_id = 6"),
            ]
            for (name, statement) in steps {
                // when
                try await client.query(statement, logger: Self.logger)
                // then
                let rows = try await client.query(
                    """
                    SELECT coalesce(k.status, t.status), coalesce(k.tasks, 0), coalesce(t.n, 0)
                    FROM (SELECT status, tasks FROM run_task_counts WHERE run_id = \(run) AND tasks <> 0) k
                    FULL JOIN (SELECT status, count(*) AS n FROM run_tasks WHERE run_id = \(run) GROUP BY status) t ON t.status = k.status
                    """, logger: Self.logger)
                for try await (status, kept, counted) in rows.decode((String, Int64, Int64).self) {
                    #expect(kept == counted, "\(status) after \(name)")
                }
            }
            let rows = try await client.query("SELECT status, tasks FROM run_task_counts WHERE tasks <> 0 ORDER BY status", logger: Self.logger)
            var final: [String: Int64] = [:]
            for try await (status, tasks) in rows.decode((String, Int64).self) { final[status] = tasks }
            #expect(final == ["cancelled": 1, "failed": 1, "succeeded": 3])
        }
    }
}
