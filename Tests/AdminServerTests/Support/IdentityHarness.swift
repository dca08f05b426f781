import AdminServer
import Composition
import AsyncHTTPClient
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PartnerCenterSimulator
import PostgresNIO
import Synchronization

/// A server under test wired to a running simulator and a fresh database, with an admin token.
struct IdentityHarness: Sendable {
    static let publicURL = "http://cpv.test"

    let simulator: RunningSimulator
    let services: AppServices
    let database: PostgresClient
    /// The test database's URL (the application role's); `TestDatabase.asSuperuser` for a DBA's view.
    let databaseURL: DatabaseURL
    let adminToken: String
    let client: any TestClientProtocol
    /// Every route of the live router, as `buildApplication` registered them.
    let routes: [RoutedOperation]

    var world: SimulatorWorld { simulator.state.world }
    var logger: Logger { TestDatabase.logger }

    static let homeTenantID = "99999999-8888-4777-8666-555555555555"

    /// Extra environment for `run`: refresh tokens in the simulator's Key Vault.
    static let keyVaultStore: @Sendable (_ simulatorURL: String) -> [String: String] = { simulatorURL in
        ["CPV_TOKEN_STORE": "keyvault", "CPV_KEYVAULT_URL": simulatorURL, "CPV_KEYVAULT_TENANT_ID": homeTenantID]
    }

    /// The CPV application as docs/onboarding.md registers it: the groups claim with directory
    /// roles, so an admin's `wids` shows Global Administrator. `groupMembershipClaims: nil` and
    /// `graphScopes` give the other registrations the callback must handle.
    static func application(groupMembershipClaims: String? = "DirectoryRole", graphScopes: [String]? = nil) -> SimulatedApplication {
        SimulatedApplication(
            appId: TestEnvironment.applicationID, displayName: "CPV Test App", homeTenantId: homeTenantID,
            clientSecrets: [SimulatedClientSecret(value: "test-client-secret")], redirectURIs: [publicURL + "/consent/callback"],
            groupMembershipClaims: groupMembershipClaims, graphDelegatedScopes: graphScopes)
    }

    static func run(
        partners: Int = 2, customers: Int = 5, options: SimulatorOptions = SimulatorOptions(), application: SimulatedApplication = application(),
        environment: @Sendable (_ simulatorURL: String) -> [String: String] = { _ in [:] },
        logger serverLogger: Logger = TestDatabase.logger, setup: TestingSetup = .router,
        _ body: @Sendable (IdentityHarness) async throws -> Void
    ) async throws {
        let world = SimulatorWorld.generated(seed: 42, partners: partners, customersPerPartner: customers, application: application)
        try await PartnerCenterSimulator.withRunning(world: world, options: options, logger: TestDatabase.logger) { simulator in
            try await TestDatabase.withMigratedDatabase { database, url in
                let environment = TestEnvironment.server(
                    database: url,
                    overrides: [
                        "CPV_PUBLIC_URL": publicURL, "CPV_LOGIN_URL": simulator.baseURL, "CPV_PARTNER_CENTER_URL": simulator.baseURL,
                        "CPV_GRAPH_URL": simulator.baseURL, "CPV_ARM_URL": simulator.baseURL,
                    ].merging(environment(simulator.baseURL)) { _, extra in extra })
                let configuration = try AppConfiguration(environment: environment, purpose: .server)
                let services = try AppServices(configuration: configuration, logger: TestDatabase.logger)
                let (_, token) = try await StaffTokenRepository(client: database, audit: TestAudit.writer).create(
                    name: "test-admin", role: .admin, createdBy: "test", logger: TestDatabase.logger)
                let routes = RouteCapture()
                let app = try await buildApplication(
                    services: services, logger: serverLogger,
                    options: BuildOptions(backgroundServices: false, onRoutes: { routes.set($0) }))
                let live = routes.get()
                try await app.test(setup) { client in
                    try await body(
                        IdentityHarness(
                            simulator: simulator, services: services, database: database, databaseURL: url, adminToken: token.revealed,
                            client: client, routes: live))
                }
            }
        }
    }

    // MARK: API calls

    func api(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers: HTTPFields = [:]
        if let token = token ?? Optional(adminToken), !token.isEmpty { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(
            uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
        ) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func registerPartner(_ index: Int = 0) async throws -> UUID {
        let partner = world.partners[index]
        let (status, body) = try await api(
            .post, "/api/v1/partners", json: #"{"tenantId":"\#(partner.tenantId)","displayName":"\#(partner.displayName)","cloud":"global"}"#)
        guard status == .created, let id = Self.field("id", in: body).flatMap(UUID.init(uuidString:)) else {
            throw TestDatabaseError("registration failed: \(status) \(body)")
        }
        return id
    }

    // MARK: The browser's side of the consent flow

    /// Issues a consent invitation through the API (the purpose the partner's status needs,
    /// unless given) and returns its link, path and query only.
    func invite(_ partnerID: UUID, purpose: String? = nil) async throws -> String {
        var purpose = purpose
        if purpose == nil {
            let (_, body) = try await api(.get, "/api/v1/partners/\(partnerID.uuidString.lowercased())")
            purpose = Self.field("status", in: body) == "pending_consent" ? "onboarding" : "reconsent"
        }
        let (status, body) = try await api(
            .post, "/api/v1/partners/\(partnerID.uuidString.lowercased())/invitations", json: #"{"purpose":"\#(purpose ?? "onboarding")"}"#)
        guard status == .created, let url = Self.field("url", in: body), url.hasPrefix(Self.publicURL) else {
            throw TestDatabaseError("invitation failed: \(status) \(body)")
        }
        return String(url.dropFirst(Self.publicURL.count))
    }

    /// Follows the redirect chain like a browser: an invitation's link (a fresh one unless given)
    /// → the simulator's authorize endpoint (which signs `loginHint` in, or the partner's first
    /// admin) → our callback. `tamperCallback` edits the callback's path and query first.
    func consent(
        partnerID: UUID, invitation: String? = nil, loginHint: String? = nil, authorizeTenant: String? = nil,
        tamperState: ((String) -> String)? = nil, tamperCallback: ((String) -> String)? = nil, beforeCallback: () async throws -> Void = {}
    ) async throws -> (status: HTTPResponse.Status, body: String, callback: String) {
        var link = invitation ?? ""
        if invitation == nil { link = try await invite(partnerID) }
        var callback = try await signIn(link: link, loginHint: loginHint, authorizeTenant: authorizeTenant)
        if let tamperState, let range = callback.range(of: #"state=[^&]*"#, options: .regularExpression) {
            let state = String(callback[range].dropFirst("state=".count))
            callback.replaceSubrange(range, with: "state=" + tamperState(state))
        }
        if let tamperCallback { callback = tamperCallback(callback) }
        try await beforeCallback()
        let (status, body) = try await client.execute(uri: callback, method: .get) { ($0.status, String(buffer: $0.body)) }
        return (status, body, callback)
    }

    /// The first half of a consent: opens `link` and signs in at the simulator; returns the
    /// callback's path and query, not yet followed.
    func signIn(link: String, loginHint: String? = nil, authorizeTenant: String? = nil) async throws -> String {
        let start = try await client.execute(uri: link, method: .get) { $0 }
        guard start.status == .found, var authorize = start.headers[.location] else {
            throw TestDatabaseError("start did not redirect: \(start.status) \(String(buffer: start.body))")
        }
        if let authorizeTenant, let range = authorize.range(of: #"/[0-9a-f-]{36}/oauth2/"#, options: .regularExpression) {
            authorize.replaceSubrange(range, with: "/\(authorizeTenant)/oauth2/")
        }
        if let loginHint { authorize += "&login_hint=\(loginHint.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? loginHint)" }
        var request = HTTPClientRequest(url: authorize)
        request.method = .GET
        let noRedirects = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let location: String
        do {
            let response = try await noRedirects.execute(request, timeout: .seconds(10))
            location = response.headers.first(name: "Location") ?? ""
            try await noRedirects.shutdown()
        } catch {
            try? await noRedirects.shutdown()
            throw error
        }
        guard location.hasPrefix(Self.publicURL + "/consent/callback") else {
            throw TestDatabaseError("authorize did not redirect to the callback: \(location)")
        }
        return String(location.dropFirst(Self.publicURL.count))
    }

    func callback(_ pathAndQuery: String) async throws -> (status: HTTPResponse.Status, body: String) {
        try await client.execute(uri: pathAndQuery, method: .get) { ($0.status, String(buffer: $0.body)) }
    }

    // MARK: Database reads

    func partnerRow(_ id: UUID) async throws -> (status: String, reason: String?, version: Int64, sealed: Data?) {
        let rows = try await database.query(
            "SELECT status, status_reason, token_version, refresh_token_sealed FROM partners WHERE id = \(id)", logger: logger)
        for try await row in rows.decode((String, String?, Int64, Data?).self) { return row }
        throw TestDatabaseError("no partner \(id)")
    }

    /// Where the row says the token is: `key_id` and whether a sealed token is present.
    func tokenColumns(_ id: UUID) async throws -> (keyID: String?, hasSealed: Bool) {
        let rows = try await database.query(
            "SELECT key_id, refresh_token_sealed IS NOT NULL FROM partners WHERE id = \(id)", logger: logger)
        for try await row in rows.decode((String?, Bool).self) { return row }
        throw TestDatabaseError("no partner \(id)")
    }

    func auditActions(partnerID: UUID) async throws -> [String] {
        let rows = try await database.query(
            "SELECT action FROM audit_events WHERE partner_id = \(partnerID) ORDER BY seq", logger: logger)
        var actions: [String] = []
        for try await action in rows.decode(String.self) { actions.append(action) }
        return actions
    }

    /// Every audit action, in chain order.
    func auditActions() async throws -> [String] {
        var actions: [String] = []
        for try await action in try await database.query("SELECT action FROM audit_events ORDER BY seq", logger: logger).decode(String.self) {
            actions.append(action)
        }
        return actions
    }

    static func number(_ name: String, in json: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object[name] as? Int
    }

    static func field(_ name: String, in json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object[name] as? String
    }
}

/// Holds what `BuildOptions.onRoutes` reports while the application is built.
final class RouteCapture: Sendable {
    private let value = Mutex<[RoutedOperation]>([])

    func set(_ routes: [RoutedOperation]) { value.withLock { $0 = routes } }
    func get() -> [RoutedOperation] { value.withLock { $0 } }
}

/// Keeps every log record (message and metadata as text) for tests that check what is never logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// A logger at trace level writing here.
    func logger(label: String = "cpv.capture") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}
