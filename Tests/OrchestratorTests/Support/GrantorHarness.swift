import AsyncHTTPClient
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud
import Orchestrator
import PartnerCenterSimulator
import PostgresNIO

/// A migrated test database, the simulator on port 0, and one partner of the simulated world that
/// has completed its consent (sealed refresh token stored, status `active`), with the repositories
/// and clients the orchestrator needs, every Microsoft URL pointing at the simulator.
struct GrantorHarness: Sendable {
    static let appID = TestEnvironment.applicationID
    static let appSecret = "sim-secret"

    let sim: RunningSimulator
    let database: PostgresClient
    let http: HTTPClient
    let partner: Partner
    let tokens: PartnerTokenProvider
    let partnerCenter: PartnerCenterClient
    let partners: PartnerRepository
    let customers: CustomerRepository
    let grantSets: GrantSetRepository
    let consents: ConsentStateRepository
    let logger: Logger

    var state: SimulatorState { sim.state }
    var simulatedPartner: SimulatedPartner { sim.state.world.partners[0] }

    /// A world with one partner and `customers` customers, whose CPV app has the test app id.
    static func world(customers: Int, seed: UInt64 = 11) -> SimulatorWorld {
        .generated(
            seed: seed, partners: 1, customersPerPartner: customers,
            application: SimulatedApplication(
                appId: appID, displayName: "CPV Test App", homeTenantId: "99999999-2222-4333-8444-555555555555",
                clientSecrets: [SimulatedClientSecret(value: appSecret)], redirectURIs: ["http://localhost/callback"]))
    }

    /// - Parameters:
    ///   - partnerCenterURL: where Partner Center calls go (default: the simulator).
    ///   - callTimeout: the Partner Center client's deadline per call.
    static func run<T: Sendable>(
        world: SimulatorWorld = world(customers: 3), options: SimulatorOptions = SimulatorOptions(),
        partnerCenterURL: String? = nil, callTimeout: Duration = .seconds(30),
        _ body: (GrantorHarness) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withMigratedDatabase { database, _ in
            try await PartnerCenterSimulator.withRunning(world: world, options: options) { sim in
                let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
                do {
                    let harness = try await make(
                        sim: sim, database: database, http: http, partnerCenterURL: partnerCenterURL, callTimeout: callTimeout)
                    let result = try await body(harness)
                    try await http.shutdown()
                    return result
                } catch {
                    try? await http.shutdown()
                    throw error
                }
            }
        }
    }

    private static func make(
        sim: RunningSimulator, database: PostgresClient, http: HTTPClient, partnerCenterURL: String?, callTimeout: Duration
    ) async throws -> GrantorHarness {
        let logger = TestDatabase.logger
        let partners = PartnerRepository(client: database, audit: TestAudit.writer)
        let simulated = sim.state.world.partners[0]
        let registration = try PartnerRegistration(tenantId: simulated.tenantId, displayName: simulated.displayName, cloud: "global")
            .validated()
        let registered = try await partners.register(registration, actor: "staff:test", logger: logger)
        let sealer = TokenSealer(keys: try SealingKeyRing(parsing: Secret(TestEnvironment.sealingKeys)))
        let admin = simulated.adminUsers[0].userPrincipalName
        guard let refreshToken = await sim.state.issueRefreshToken(clientId: appID, userPrincipalName: admin) else {
            throw HarnessError("the simulator issued no refresh token for \(admin)")
        }
        try await partners.consentForTests(
            partnerID: registered.id, sealed: try sealer.seal(Secret(refreshToken), partnerID: registered.id), consentedBy: admin,
            logger: logger)
        guard let partner = try await partners.partner(id: registered.id, logger: logger) else {
            throw HarnessError("the registered partner vanished")
        }
        let overrides = CloudProfile.Overrides(
            login: sim.baseURL, partnerCenter: partnerCenterURL ?? sim.baseURL, graph: sim.baseURL, arm: sim.baseURL)
        let entra = EntraTokenClient(http: http, clientID: appID, credential: .secret(Secret(appSecret), style: .formBody))
        return GrantorHarness(
            sim: sim, database: database, http: http, partner: partner,
            tokens: PartnerTokenProvider(
                repository: partners, store: DatabaseRefreshTokenStore(repository: partners, sealer: sealer), entra: entra,
                overrides: overrides),
            partnerCenter: PartnerCenterClient(http: http, timeout: callTimeout), partners: partners,
            customers: CustomerRepository(client: database), grantSets: GrantSetRepository(client: database, audit: TestAudit.writer),
            consents: ConsentStateRepository(client: database, audit: TestAudit.writer), logger: logger)
    }

    // MARK: Pieces under test

    func grantor(
        backoff: BackoffPolicy = Self.fastBackoff, maxConsecutiveThrottles: Int = 10, verifyGrants: Bool = false
    ) -> ConsentGrantor {
        ConsentGrantor(
            partners: partners, customers: customers, consents: consents, tokens: tokens,
            partnerCenter: partnerCenter, verifier: GrantVerifier(tokens: tokens, graph: GraphClient(http: http)),
            configuration: .init(backoff: backoff, maxConsecutiveThrottles: maxConsecutiveThrottles, verifyGrants: verifyGrants))
    }

    func customerSync(pageSize: Int = 500, pacer: RequestPacer = RequestPacer()) -> CustomerSync {
        CustomerSync(
            partners: partners, customers: customers, tokens: tokens, partnerCenter: partnerCenter, pacer: pacer, pageSize: pageSize,
            serverErrorBackoff: BackoffPolicy(base: 0.02, cap: 0.2, maxAttempts: 5, jitter: .none, retryAfterJitter: 0))
    }

    /// Milliseconds between retries and three attempts: the retry logic runs, the test does not wait.
    static let fastBackoff = BackoffPolicy(base: 0.01, cap: 0.05, maxAttempts: 3, jitter: .none, retryAfterJitter: 0)

    static let graphScopes = ["Directory.Read.All", "User.Read.All"]

    // MARK: Setup helpers

    /// Seeds grant set version 1 (Graph with `graphScopes`, ARM `user_impersonation`).
    @discardableResult
    func seedGrantSet() async throws -> GrantSet {
        guard let appID = ApplicationID(Self.appID) else { throw HarnessError("bad test app id") }
        return try await grantSets.seedIfEmpty(applicationID: appID, displayName: "CPV Test App", graphScopes: Self.graphScopes, logger: logger)
    }

    /// Writes the world's customers straight into the store (as a sync would) and returns them.
    @discardableResult
    func storeCustomers() async throws -> [Customer] {
        let listings = simulatedPartner.customers.compactMap { customer in
            TenantID(customer.tenantId).map { CustomerListing(tenantID: $0, companyName: customer.companyName, domain: customer.domain) }
        }
        _ = try await customers.upsertPage(partnerID: partner.id, customers: listings, logger: logger)
        var stored: [Customer] = []
        for listing in listings {
            if let customer = try await customers.customer(partnerID: partner.id, tenantID: listing.tenantID, logger: logger) {
                stored.append(customer)
            }
        }
        return stored
    }

    /// The first customer of the world, stored, with grant set version 1 seeded.
    func firstCustomer() async throws -> Customer {
        try await seedGrantSet()
        guard let customer = try await storeCustomers().first else { throw HarnessError("the world has no customers") }
        return customer
    }

    /// Partner Center calls the simulator saw, in order.
    func partnerCenterCalls() -> [CallRecord] {
        state.calls().filter { $0.group == .partnerCenter }
    }

    /// The customer's audit events, in chain order.
    func auditEvents(customerID: Int64) async throws -> [AuditRow] {
        let rows = try await database.query(
            """
            SELECT action, http_method, response_status, error_code, ms_request_id, ms_correlation_id, request_body::text
            FROM audit_events WHERE customer_id = \(customerID) ORDER BY seq
            """, logger: logger)
        var events: [AuditRow] = []
        for try await row in rows.decode((String, String?, Int?, String?, UUID?, UUID?, String?).self) {
            events.append(
                AuditRow(
                    action: row.0, httpMethod: row.1, status: row.2, errorCode: row.3, requestID: row.4, correlationID: row.5,
                    requestBody: row.6))
        }
        return events
    }

    func actions(customerID: Int64) async throws -> [String] {
        try await auditEvents(customerID: customerID).map(\.action)
    }

    /// Every audit action of the partner (sync summaries, status changes).
    func partnerActions() async throws -> [String] {
        let rows = try await database.query(
            "SELECT action FROM audit_events WHERE partner_id = \(partner.id) AND customer_id IS NULL ORDER BY seq", logger: logger)
        var actions: [String] = []
        for try await action in rows.decode(String.self) { actions.append(action) }
        return actions
    }
}

/// One audit row as the tests read it.
struct AuditRow: Sendable, Equatable {
    var action: String
    var httpMethod: String?
    var status: Int?
    var errorCode: String?
    var requestID: UUID?
    var correlationID: UUID?
    var requestBody: String?
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
