import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Logging
import PartnerCenterSimulator
import PostgresNIO

/// A run worked by real `cpv worker` processes: a migrated database, the simulator on loopback (in
/// this process, so its call log can be read directly), one onboarded partner with its customers
/// stored, grant set version 1, and helpers to start, kill and watch worker processes.
struct RunFleet: Sendable {
    static let appSecret = "sim-secret"

    let sim: RunningSimulator
    let database: PostgresClient
    let url: DatabaseURL
    let partnerID: UUID
    let logger: Logger

    var runs: RunRepository { RunRepository(client: database, audit: TestAudit.writer) }

    static func world(customers: Int, seed: UInt64 = 23) -> SimulatorWorld {
        .generated(
            seed: seed, partners: 1, customersPerPartner: customers,
            application: SimulatedApplication(
                appId: TestEnvironment.applicationID, displayName: "CPV Test App",
                homeTenantId: "99999999-2222-4333-8444-555555555555",
                clientSecrets: [SimulatedClientSecret(value: appSecret)], redirectURIs: ["http://localhost/callback"]))
    }

    /// The simulator without its rate limits and with a call log large enough for the whole run.
    static func options(latencyMilliseconds: Int = 0, rateLimits: Bool = false) -> SimulatorOptions {
        var options = SimulatorOptions()
        options.rateLimits.enabled = rateLimits
        options.callLogCapacity = 100_000
        if latencyMilliseconds > 0 { options.faults.latency[.partnerCenter] = LatencyFault(fixedMilliseconds: latencyMilliseconds) }
        return options
    }

    /// A fleet on a fresh test database.
    static func run<T: Sendable>(
        customers: Int, options: SimulatorOptions = options(), _ body: (RunFleet) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withMigratedDatabase { database, url in
            try await on(database: database, url: url, customers: customers, options: options, body)
        }
    }

    /// A fleet on a database the caller provides (already migrated).
    static func on<T: Sendable>(
        database: PostgresClient, url: DatabaseURL, customers: Int, options: SimulatorOptions, _ body: (RunFleet) async throws -> T
    ) async throws -> T {
        try await PartnerCenterSimulator.withRunning(world: world(customers: customers), options: options) { sim in
            let fleet = try await setUp(sim: sim, database: database, url: url)
            return try await body(fleet)
        }
    }

    private static func setUp(sim: RunningSimulator, database: PostgresClient, url: DatabaseURL) async throws -> RunFleet {
        let logger = TestDatabase.logger
        let partners = PartnerRepository(client: database, audit: TestAudit.writer)
        let simulated = sim.state.world.partners[0]
        let registration = try PartnerRegistration(tenantId: simulated.tenantId, displayName: simulated.displayName, cloud: "global")
            .validated()
        let registered = try await partners.register(registration, actor: "staff:test", logger: logger)
        let admin = simulated.adminUsers[0].userPrincipalName
        guard let refreshToken = await sim.state.issueRefreshToken(clientId: TestEnvironment.applicationID, userPrincipalName: admin) else {
            throw TestDatabaseError("the simulator issued no refresh token for \(admin)")
        }
        let sealer = TokenSealer(keys: try SealingKeyRing(parsing: Secret(TestEnvironment.sealingKeys)))
        try await partners.consentForTests(
            partnerID: registered.id, sealed: try sealer.seal(Secret(refreshToken), partnerID: registered.id), consentedBy: admin,
            logger: logger)
        guard let appID = ApplicationID(TestEnvironment.applicationID) else { throw TestDatabaseError("bad test app id") }
        _ = try await GrantSetRepository(client: database, audit: TestAudit.writer).seedIfEmpty(
            applicationID: appID, displayName: "CPV Test App", graphScopes: ["Directory.Read.All"], logger: logger)
        let listings = simulated.customers.compactMap { customer in
            TenantID(customer.tenantId).map { CustomerListing(tenantID: $0, companyName: customer.companyName, domain: customer.domain) }
        }
        let customers = CustomerRepository(client: database)
        var start = 0
        while start < listings.count {
            let page = Array(listings[start..<min(start + 500, listings.count)])
            _ = try await customers.upsertPage(partnerID: registered.id, customers: page, logger: logger)
            start += page.count
        }
        return RunFleet(sim: sim, database: database, url: url, partnerID: registered.id, logger: logger)
    }

    // MARK: Worker processes

    /// The environment of a `cpv worker` pointed at this database and simulator, with short leases
    /// and rescue passes so that a dead worker's tasks come back within seconds.
    func workerEnvironment(_ overrides: [String: String] = [:]) -> [String: String] {
        var environment = TestEnvironment.server(
            database: url,
            overrides: [
                "CPV_APP_SECRET": Self.appSecret,
                "CPV_LOGIN_URL": sim.baseURL, "CPV_PARTNER_CENTER_URL": sim.baseURL, "CPV_GRAPH_URL": sim.baseURL,
                "CPV_ARM_URL": sim.baseURL,
                "CPV_WORKERS": "8", "CPV_RUN_LEASE_SECONDS": "3", "CPV_RUN_RESCUE_INTERVAL_SECONDS": "1",
                "CPV_CONSENT_RATE_LIMIT": "0", "CPV_DATABASE_MAX_CONNECTIONS": "12",
                "CPV_LOG_LEVEL": "warning",
            ])
        environment.merge(overrides) { _, new in new }
        return environment
    }

    func startWorker(_ overrides: [String: String] = [:]) throws -> RunningProcess {
        try CLIProcess.start(["worker"], environment: workerEnvironment(overrides))
    }

    // MARK: Watching

    func createRun(maxConcurrency: Int? = nil) async throws -> UUID {
        try await runs.create(.init(scope: .all, maxConcurrency: maxConcurrency), actor: "staff:test", logger: logger).run.id
    }

    /// Polls `condition` every 200 ms until it holds or `timeout` passes. Errors count as "not yet":
    /// the database may be restarting under the test.
    func poll(timeout: Duration, _ condition: @Sendable () async throws -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return (try? await condition()) == true
    }

    func succeeded(_ runID: UUID) async throws -> Int {
        try await runs.progress(id: runID, logger: logger)?.counts["succeeded"] ?? 0
    }

    func isCompleted(_ runID: UUID) async throws -> Bool {
        try await runs.run(id: runID, logger: logger)?.status == .completed
    }

    /// The partner's customers by consent state (customers with no row yet count as `none`).
    func consentStates() async throws -> [String: Int] {
        let rows = try await database.query(
            """
            SELECT coalesce(cc.state, 'none'), count(*) FROM customers c LEFT JOIN customer_consents cc ON cc.customer_id = c.id
            WHERE c.partner_id = \(partnerID) GROUP BY 1
            """, logger: logger)
        var states: [String: Int] = [:]
        for try await (state, count) in rows.decode((String, Int64).self) { states[state] = Int(count) }
        return states
    }

    func auditCount(action: String, runID: UUID) async throws -> Int {
        let rows = try await database.query(
            "SELECT count(*) FROM audit_events WHERE action = \(action) AND run_id = \(runID)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    // MARK: The simulator's call log

    var consentCalls: [CallRecord] {
        sim.state.calls().filter { $0.group == .partnerCenter && $0.path.contains("applicationconsents") }
    }

    /// Customers whose DELETE+POST pairs overlapped in time. A pair spans its DELETE's start to its
    /// POST's end (one grantor pass shares a correlation id across both calls).
    func overlappingPairs() -> [String] {
        var spans: [String: (customer: String, start: Double, end: Double)] = [:]
        for call in consentCalls {
            guard let correlation = call.msCorrelationId, let customer = call.customerId else { continue }
            if var span = spans[correlation] {
                span.start = min(span.start, call.startedAt)
                span.end = max(span.end, call.endedAt)
                spans[correlation] = span
            } else {
                spans[correlation] = (customer, call.startedAt, call.endedAt)
            }
        }
        var byCustomer: [String: [(start: Double, end: Double)]] = [:]
        for span in spans.values { byCustomer[span.customer, default: []].append((span.start, span.end)) }
        return byCustomer.compactMap { customer, spans in
            let sorted = spans.sorted { $0.start < $1.start }
            return zip(sorted, sorted.dropFirst()).contains { $0.end > $1.start } ? customer : nil
        }
    }
}
