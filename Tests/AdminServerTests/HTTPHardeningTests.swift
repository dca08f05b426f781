@testable import AdminServer
import Composition
import AsyncHTTPClient
import CPVTestSupport
import ConsentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Orchestrator
import Testing

/// Input, resources and headers of the HTTP edge (issue #14, items 12 to 15).
// Serialized: each test runs a simulator and a server; one at a time keeps the whole suite's load
// (and its database connections) within what a two-core machine serves without starving timed tests.
@Suite(.serialized) struct HTTPHardeningTests {
    @Test func aBodyThatIsNotJSONIsRefusedAndCreatesNothing() async throws {
        try await IdentityHarness.run { h in
            // given: what a cross-site form could send without a preflight
            let body = #"{"tenantId":"\#(h.world.partners[0].tenantId)","displayName":"Planted","cloud":"global"}"#
            // when
            let (status, answer) = try await h.client.execute(
                uri: "/api/v1/partners", method: .post,
                headers: [.authorization: "Bearer \(h.adminToken)", .contentType: "text/plain"], body: ByteBuffer(string: body)
            ) { ($0.status, String(buffer: $0.body)) }
            // then
            #expect(status == .unsupportedMediaType)
            #expect(answer.contains("unsupported_media_type"))
            #expect(try await h.services.partners.allPartners(logger: h.logger).isEmpty)
        }
    }

    @Test func csvCellsThatASpreadsheetWouldRunAreNeutralised() {
        let row = ReportRendering.csvRow([
            .text("=HYPERLINK(\"http://x\")"), .text("+1"), .text("-2"), .text("@SUM(A1)"), .text("\tx"), .text("\rx"), .text("plain"),
            .integer(-5), .decimal(-1.5),
        ])
        #expect(row == "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",plain,-5,-1.5\r\n")
    }

    @Test func reportsListAPageAtMost() async throws {
        try await IdentityHarness.run { h in
            // when
            let (tooMany, _) = try await h.api(.get, "/api/v1/reports/missing-consent?limit=501")
            let (aPage, _) = try await h.api(.get, "/api/v1/reports/stale?limit=500")
            // then
            #expect(tooMany == .badRequest)
            #expect(aPage == .ok)
        }
    }

    @Test func anExportPastItsDeadlineIsCutOffNotCompletedQuietly() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given: a trail long enough to take more than a millisecond to read
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query(
                    """
                    INSERT INTO audit_events (seq, actor, action, prev_hash, hash)
                    SELECT n, 'system:test', 'test.event', '\\x00', '\\x00' FROM generate_series(1, 50000) n
                    """, logger: TestDatabase.logger)
            }
            // when / then
            await #expect(throws: (any Error).self) {
                try await AuditExportReport.stream(
                    since: nil, until: nil, deadline: .milliseconds(1), client: client, logger: TestDatabase.logger) { _ in }
            }
        }
    }

    @Test func oneAuditWalkServesEveryRequestThatArrivesDuringIt() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: a trail that takes a moment to walk
            for _ in 0..<3 {
                try await client.inTransaction(logger: TestDatabase.logger) { connection in
                    try await TestAudit.writer.append(
                        (0..<100).map { AuditRecord(actor: "system:test", action: "test.\($0)", details: #"{"n": \#($0)}"#) }, on: connection,
                        logger: TestDatabase.logger)
                }
            }
            let verification = AuditVerification(client: client, keys: TestAudit.keys, expectedUnkeyedEvents: nil)
            // when: eight requests at once
            let reports = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await verification.verify(logger: TestDatabase.logger).isIntact } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            // then
            #expect(reports == Array(repeating: true, count: 8))
            #expect(await verification.walks + verification.shared == 8)
            #expect(await verification.walks < 8)
        }
    }

    @Test func anIdleConnectionIsClosedByTheServer() async throws {
        try await IdentityHarness.run(environment: { _ in ["CPV_HTTP_IDLE_TIMEOUT_SECONDS": "1"] }, setup: .live) { h in
            // given: the server's port, from a request through the test client
            _ = try await h.client.execute(uri: "/healthz", method: .get) { $0.status }
            let port = try #require(h.client.port)
            // when: a connection that sends nothing
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            // then: the server closes it (waiting on the close, with a deadline)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await channel.closeFuture.get(); return true }
                group.addTask { try await Task.sleep(for: .seconds(20)); return false }
                let closed = try await group.next() ?? false
                group.cancelAll()
                #expect(closed, "the idle connection was still open after 20 s")
            }
            if channel.isActive { try? await channel.close() }
        }
    }

    @Test func apiAnswersAreNeverCachedErrorsIncluded() async throws {
        try await IdentityHarness.run { h in
            // when
            let ok = try await h.client.execute(uri: "/api/v1/partners", method: .get, headers: [.authorization: "Bearer \(h.adminToken)"]) { $0 }
            let refused = try await h.client.execute(uri: "/api/v1/partners", method: .get) { $0 }
            // then
            #expect(ok.headers[.cacheControl] == "no-store")
            #expect(refused.headers[.cacheControl] == "no-store")
            #expect(ok.headers[.strictTransportSecurity] == nil, "HSTS over plain http means nothing")
        }
    }

    @Test func httpsPublishedServersSendHSTSOnEveryAnswer() async throws {
        try await IdentityHarness.run(environment: { _ in ["CPV_PUBLIC_URL": "https://cpv.example.com"] }) { h in
            // when
            let health = try await h.client.execute(uri: "/healthz", method: .get) { $0 }
            let console = try await h.client.execute(uri: "/console/sign-in", method: .get) { $0 }
            // then
            #expect(health.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
            #expect(console.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        }
    }

    @Test func metricsAndReadinessMoveToTheInternalAddress() async throws {
        let (ports, bound) = AsyncStream<Int>.makeStream()
        try await TestDatabase.withMigratedDatabase { _, url in
            // given: an internal listener
            let environment = TestEnvironment.server(database: url, overrides: ["CPV_INTERNAL_HTTP_PORT": "0"])
            let services = try AppServices(configuration: try AppConfiguration(environment: environment, purpose: .server), logger: TestDatabase.logger)
            let app = try await buildApplication(
                services: services, logger: TestDatabase.logger,
                options: BuildOptions(backgroundServices: false, onInternalServerRunning: { bound.yield($0) }))
            try await app.test(.live) { client in
                var iterator = ports.makeAsyncIterator()
                let internalPort = try #require(await iterator.next())
                // when
                let publicMetrics = try await client.execute(uri: "/metrics", method: .get) { $0.status }
                let publicReady = try await client.execute(uri: "/readyz", method: .get) { $0.status }
                let publicHealth = try await client.execute(uri: "/healthz", method: .get) { $0.status }
                let internalMetrics = try await Self.get("http://127.0.0.1:\(internalPort)/metrics")
                let internalReady = try await Self.get("http://127.0.0.1:\(internalPort)/readyz")
                // then
                #expect(publicMetrics == .notFound)
                #expect(publicReady == .notFound)
                #expect(publicHealth == .ok)
                #expect(internalMetrics == 200)
                #expect(internalReady == 200)
            }
        }
    }

    static func get(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return Int(response.status.code)
    }
}
