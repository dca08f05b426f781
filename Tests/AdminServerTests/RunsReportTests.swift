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

/// The `runs` report's numbers on seeded runs, through the route (JSON and CSV).
@Suite struct RunsReportTests {
    static let completed = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    static let cancelled = UUID(uuidString: "00000000-0000-4000-8000-000000000002") ?? UUID()
    static let old = UUID(uuidString: "00000000-0000-4000-8000-000000000003") ?? UUID()
    static let queued = UUID(uuidString: "00000000-0000-4000-8000-000000000004") ?? UUID()

    /// Partner A's customers (`ReadAPITests.seed`) in four runs:
    /// - completed, 2 days old, ran 100 s: 3 succeeded, 1 failed, 1 skipped;
    /// - cancelled, 1 day old, ran 20 s: 1 succeeded, 2 cancelled, 1 blocked, 1 pending;
    /// - completed, 40 days old (outside the default 30 days): 2 succeeded;
    /// - queued just now, never started: 2 pending, 1 leased.
    static func seed(_ client: PostgresClient) async throws {
        let logger = TestDatabase.logger
        let (a, _) = try await ReadAPITests.seed(client)
        try await client.query(
            """
            INSERT INTO runs (id, action, scope, status, requested_by, total_tasks, created_at, started_at, finished_at)
            VALUES (\(completed), 'grant', '{"all": true}', 'completed', 'staff:alice', 5,
                    now() - interval '2 days', now() - interval '2 days', now() - interval '2 days' + interval '100 seconds'),
                   (\(cancelled), 'revoke', '{"all": true}', 'cancelled', 'staff:bob', 5,
                    now() - interval '1 day', now() - interval '1 day', now() - interval '1 day' + interval '20 seconds'),
                   (\(old), 'grant', '{"all": true}', 'completed', 'staff:alice', 2,
                    now() - interval '40 days', now() - interval '40 days', now() - interval '40 days' + interval '10 seconds'),
                   (\(queued), 'grant', '{"drift": true}', 'queued', 'staff:carol', 3, now(), NULL, NULL)
            """, logger: logger)
        let plan: [(UUID, [String])] = [
            (completed, ["succeeded", "succeeded", "succeeded", "failed", "skipped"]),
            (cancelled, ["succeeded", "cancelled", "cancelled", "blocked", "pending"]),
            (old, ["succeeded", "succeeded"]),
            (queued, ["pending", "pending", "leased"]),
        ]
        for (run, statuses) in plan {
            try await client.query(
                """
                INSERT INTO run_tasks (run_id, customer_id, partner_id, status)
                SELECT \(run), c.id, \(a), (\(statuses)::text[])[c.n::integer]
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers WHERE partner_id = \(a)) c
                WHERE c.n <= \(statuses.count)
                """, logger: logger)
        }
    }

    func app(_ client: PostgresClient) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        ReportRoutes(database: client).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: .viewer)))
        return Application(router: router)
    }

    @Test func runsReportCountsOutcomesDurationAndThroughput() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            try await Self.seed(client)
            // when
            let table = try await RunsReport.run(days: 30, client: client, logger: TestDatabase.logger)
            // then: newest first, the 40-day-old run left out
            #expect(table.rows.count == 3)
            #expect((0..<3).map { table.cell("run_id", row: $0) } == [Self.queued, Self.cancelled, Self.completed].map { .text($0.uuidString.lowercased()) })
            func integers(_ row: Int) -> [Int64?] {
                ["succeeded", "failed", "blocked", "cancelled", "skipped", "unfinished", "total_tasks"].map {
                    if case .integer(let value) = table.cell($0, row: row) { return value }
                    return nil
                }
            }
            #expect(integers(0) == [0, 0, 0, 0, 0, 3, 3])
            #expect(integers(1) == [1, 0, 1, 2, 0, 1, 5])
            #expect(integers(2) == [3, 1, 0, 0, 1, 0, 5])
            #expect(table.cell("duration_seconds", row: 2) == .decimal(100))
            #expect(table.cell("customers_per_second", row: 2) == .decimal(0.04))
            #expect(table.cell("duration_seconds", row: 1) == .decimal(20))
            #expect(table.cell("customers_per_second", row: 1) == .decimal(0.05))
            #expect(table.cell("action", row: 1) == .text("revoke"))
            #expect(table.cell("status", row: 1) == .text("cancelled"))
            #expect(table.cell("duration_seconds", row: 0) == .null)
            #expect(table.cell("customers_per_second", row: 0) == .null)
            #expect(table.cell("requested_by", row: 0) == .text("staff:carol"))
            // when: a wider window
            let wider = try await RunsReport.run(days: 60, client: client, logger: TestDatabase.logger)
            // then
            #expect(wider.rows.count == 4)
            #expect(wider.cell("run_id", row: 3) == .text(Self.old.uuidString.lowercased()))
            #expect(wider.cell("succeeded", row: 3) == .integer(2))
        }
    }

    @Test func runsReportThroughTheRoute() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            try await Self.seed(client)
            try await app(client).test(.router) { http in
                // when
                let json = try await http.execute(uri: "/api/v1/reports/runs?days=60", method: .get) { $0 }
                let csv = try await http.execute(uri: "/api/v1/reports/runs?format=csv", method: .get) { $0 }
                let bad = try await http.execute(uri: "/api/v1/reports/runs?days=0", method: .get) { $0 }
                // then
                #expect(json.status == .ok)
                let body = ReadAPITests.json(json.body)
                #expect(body["report"] as? String == "runs")
                #expect((body["rows"] as? [[String: Any]])?.count == 4)
                #expect((body["rows"] as? [[String: Any]])?.last?["succeeded"] as? Int == 2)
                #expect(csv.status == .ok)
                let lines = String(buffer: csv.body).split(separator: "\r\n")
                #expect(lines.count == 4)
                #expect(lines.first?.hasPrefix("run_id,action,status,dry_run,requested_by,") == true)
                #expect(lines.last?.contains(",staff:alice,") == true)
                #expect(bad.status == .badRequest)
                #expect(ReadAPITests.errorCode(ReadAPITests.json(bad.body)) == "invalid_days")
            }
        }
    }
}
