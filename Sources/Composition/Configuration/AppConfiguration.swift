import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// Everything `cpv` reads from its environment, validated once at boot.
///
/// Every key is documented in `docs/configuration.md` (type, default, secret or not); keep the two
/// in step. Secrets may come from `KEY_FILE` instead of `KEY`. An unknown `CPV_*` key stops the
/// boot too: a misspelt setting silently falling back to its default is worse than an error.
public struct AppConfiguration: Sendable {
    /// What the command being started needs. `cpv migrate` needs only the database.
    public enum Purpose: Sendable {
        case databaseOnly
        case server
    }

    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
    }

    /// How the CPV application proves its identity to Entra ID.
    public enum ClientCredential: Sendable {
        case secret(Secret<String>)
        case certificate(certificatePath: String, privateKeyPath: String, algorithm: AssertionAlgorithm)
    }

    public enum AssertionAlgorithm: String, Sendable, CaseIterable {
        case ps256 = "ps256"
        case rs256 = "rs256"
    }

    public enum TokenStoreKind: String, Sendable, CaseIterable {
        case database, keyvault
    }

    /// Endpoint overrides that replace every cloud's own (the simulator, a proxy).
    public struct EndpointOverrides: Sendable, Equatable {
        public var login: String?
        public var partnerCenter: String?
        public var graph: String?
        public var arm: String?
        public var keyVault: String?

        public init(login: String? = nil, partnerCenter: String? = nil, graph: String? = nil, arm: String? = nil, keyVault: String? = nil) {
            self.login = login
            self.partnerCenter = partnerCenter
            self.graph = graph
            self.arm = arm
            self.keyVault = keyVault
        }
    }

    public var database: DatabaseURL
    public var databaseMaxConnections: Int
    public var migrationsDirectory: String?
    public var httpHost: String
    public var httpPort: Int
    public var publicURL: String
    /// A second listener for `/metrics`, `/readyz` and `/healthz` (`CPV_INTERNAL_HTTP_PORT`); when
    /// set, the public one no longer serves `/metrics` and `/readyz`.
    public var internalHTTPPort: Int?
    public var internalHTTPHost: String
    /// Seconds an idle HTTP connection is kept open (`CPV_HTTP_IDLE_TIMEOUT_SECONDS`).
    public var httpIdleTimeoutSeconds: Int
    /// Proxies whose `X-Forwarded-For` is believed (`CPV_TRUSTED_PROXIES`); none by default.
    public var trustedProxies: TrustedProxies
    /// Days a consent invitation lives unless its issuer says otherwise (`CPV_INVITATION_DAYS`).
    public var invitationDays: Int
    /// Requests per minute one address may make to the public consent endpoints (`CPV_CONSENT_REQUESTS_PER_MINUTE`).
    public var consentRequestsPerMinute: Int
    /// The longest an audit export may stream (`CPV_EXPORT_DEADLINE_SECONDS`).
    public var exportDeadlineSeconds: Int
    /// Minutes of inactivity after which a console session ends (`CPV_CONSOLE_IDLE_MINUTES`).
    public var consoleIdleMinutes: Int
    public var logLevel: LogLevel
    public var logFormat: LogFormat
    public var workers: Int
    public var templatesDirectory: String?
    /// Redeem each partner's refresh token after this many days without use (the limit is 90).
    public var tokenRefreshDays: Int
    /// Delegated Microsoft Graph scopes of the first grant set (seeded when none exists).
    public var graphScopes: [String]
    /// The most a grant set may ask for (`CPV_GRANT_CEILING`); nil: exactly the seeded first grant set.
    public var grantCeiling: GrantCeiling?
    /// Check each grant through Graph after the POST (`consent.verified` / `consent.verification_failed`).
    public var verifyGrants: Bool
    /// Hours between scheduled customer syncs of every active partner; 0 turns the schedule off.
    public var syncIntervalHours: Int
    /// Partner Center consent calls per second per application id, across all workers (0: no limit of ours).
    public var consentRateLimit: Int
    /// Consent calls that may start together (`CPV_CONSENT_BURST`).
    public var consentBurst: Int
    /// Consent calls per second kept spare for timing jitter on the way to Partner Center (`CPV_CONSENT_RATE_MARGIN`).
    public var consentRateMargin: Int
    /// Run task leases (`CPV_RUN_LEASE_SECONDS`): a dead worker's tasks are rescued this long after its last heartbeat.
    public var runLeaseSeconds: Int
    /// Seconds between rescue passes (`CPV_RUN_RESCUE_INTERVAL_SECONDS`).
    public var runRescueIntervalSeconds: Int
    /// Customer-listing calls per minute per partner, shared by every process (0: no limit of ours).
    public var listingRateLimit: Int
    /// Minutes between scheduled drift runs; 0 (the default) turns the schedule off.
    public var driftRunIntervalMinutes: Int
    /// Microsoft Graph reads per second of reconcile runs, shared by every process (0: no limit of ours).
    public var graphRateLimit: Int
    /// Refresh-token redemptions per second of reconcile runs (one per customer tenant read).
    public var tokenRateLimit: Int

    // Present when `purpose == .server`.
    public var applicationID: ApplicationID?
    public var applicationDisplayName: String
    public var clientCredential: ClientCredential?
    public var sealingKeys: SealingKeyRing?
    /// HMAC keys of the audit chain (`CPV_AUDIT_KEYS`); the first signs new events.
    public var auditKeys: AuditKeyRing?
    /// How many audit events predate the keyed chain (`CPV_AUDIT_UNKEYED_EVENTS`); nil: not pinned.
    public var auditUnkeyedEvents: Int64?
    public var tokenStore: TokenStoreKind
    /// The CPV application's home tenant, where its app-only Key Vault token is requested
    /// (required when `tokenStore == .keyvault`).
    public var keyVaultTenantID: TenantID?
    public var endpoints: EndpointOverrides

    /// Every `CPV_*` key the product reads, including those of the CLI client and the test suite.
    static let knownKeys: Set<String> = [
        "CPV_DATABASE_URL", "CPV_DATABASE_URL_FILE", "CPV_DATABASE_MAX_CONNECTIONS", "CPV_MIGRATIONS_DIR",
        "CPV_HTTP_HOST", "CPV_HTTP_PORT", "CPV_PUBLIC_URL", "CPV_LOG_LEVEL", "CPV_LOG_FORMAT", "CPV_WORKERS",
        "CPV_APP_ID", "CPV_APP_DISPLAY_NAME", "CPV_APP_SECRET", "CPV_APP_SECRET_FILE", "CPV_APP_CERT_FILE",
        "CPV_APP_KEY_FILE", "CPV_APP_ASSERTION_ALGORITHM", "CPV_SEALING_KEYS", "CPV_SEALING_KEYS_FILE",
        "CPV_TOKEN_STORE", "CPV_LOGIN_URL", "CPV_PARTNER_CENTER_URL", "CPV_GRAPH_URL", "CPV_ARM_URL",
        "CPV_KEYVAULT_URL", "CPV_KEYVAULT_TENANT_ID", "CPV_TEMPLATES_DIR", "CPV_TOKEN_REFRESH_DAYS", "CPV_GRAPH_SCOPES",
        "CPV_VERIFY_GRANTS", "CPV_SYNC_INTERVAL_HOURS", "CPV_CONSENT_RATE_LIMIT", "CPV_CONSENT_BURST", "CPV_CONSENT_RATE_MARGIN",
        "CPV_RUN_LEASE_SECONDS", "CPV_RUN_RESCUE_INTERVAL_SECONDS", "CPV_LISTING_RATE_LIMIT", "CPV_DRIFT_RUN_INTERVAL_MINUTES",
        "CPV_GRAPH_RATE_LIMIT", "CPV_TOKEN_RATE_LIMIT",
        "CPV_AUDIT_KEYS", "CPV_AUDIT_KEYS_FILE", "CPV_AUDIT_UNKEYED_EVENTS", "CPV_TRUSTED_PROXIES", "CPV_CONSOLE_IDLE_MINUTES",
        "CPV_GRANT_CEILING", "CPV_EXPORT_DEADLINE_SECONDS", "CPV_INTERNAL_HTTP_HOST", "CPV_INTERNAL_HTTP_PORT", "CPV_INVITATION_DAYS",
        "CPV_CONSENT_REQUESTS_PER_MINUTE", "CPV_HTTP_IDLE_TIMEOUT_SECONDS",
        // Read by the `cpv` CLI client, the test suite and ops scripts, not by the server.
        "CPV_URL", "CPV_TOKEN", "CPV_TOKEN_FILE", "CPV_TEST_DATABASE_URL", "CPV_TEST_PARALLELISM", "CPV_HOME", "CPV_PG_PORT",
    ]

    /// Reads and validates the configuration, throwing the first problem found.
    public init(
        environment: [String: String],
        purpose: Purpose,
        readFile: @escaping (String) -> String? = { path in
            FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
        }
    ) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment: environment, readFile: readFile)
        if let unknown = reader.unknownKeys(known: Self.knownKeys).first {
            throw ConfigurationError(key: unknown, problem: "unknown setting (see docs/configuration.md for the list)")
        }

        guard let databaseURL = try reader.secret("CPV_DATABASE_URL") else {
            throw ConfigurationError(
                key: "CPV_DATABASE_URL", problem: "required (e.g. postgres://cpv@127.0.0.1:5432/cpv)")
        }
        do {
            database = try DatabaseURL(parsing: databaseURL.revealed)
        } catch {
            throw ConfigurationError(key: "CPV_DATABASE_URL", problem: "malformed: \(error)")
        }
        databaseMaxConnections = try reader.integer("CPV_DATABASE_MAX_CONNECTIONS", default: 20, range: 2...500)
        migrationsDirectory = reader.string("CPV_MIGRATIONS_DIR")
        httpHost = reader.string("CPV_HTTP_HOST") ?? "127.0.0.1"
        httpPort = try reader.integer("CPV_HTTP_PORT", default: 8080, range: 0...65535)
        publicURL = try reader.baseURL("CPV_PUBLIC_URL") ?? "http://\(httpHost):\(httpPort)"
        internalHTTPHost = reader.string("CPV_INTERNAL_HTTP_HOST") ?? "127.0.0.1"
        httpIdleTimeoutSeconds = try reader.integer("CPV_HTTP_IDLE_TIMEOUT_SECONDS", default: 60, range: 1...3_600)
        if reader.string("CPV_INTERNAL_HTTP_PORT") != nil {
            internalHTTPPort = try reader.integer("CPV_INTERNAL_HTTP_PORT", default: 0, range: 0...65535)
        } else {
            internalHTTPPort = nil
        }
        if let raw = reader.string("CPV_TRUSTED_PROXIES") {
            guard let proxies = TrustedProxies(parsing: raw) else {
                throw ConfigurationError(
                    key: "CPV_TRUSTED_PROXIES", problem: "must be IP addresses or networks, e.g. 10.0.0.0/8,192.0.2.7 (got \"\(raw.prefix(80))\")")
            }
            trustedProxies = proxies
        } else {
            trustedProxies = .none
        }
        consoleIdleMinutes = try reader.integer("CPV_CONSOLE_IDLE_MINUTES", default: 30, range: 1...720)
        invitationDays = try reader.integer("CPV_INVITATION_DAYS", default: 7, range: 1...30)
        consentRequestsPerMinute = try reader.integer("CPV_CONSENT_REQUESTS_PER_MINUTE", default: 30, range: 1...10_000)
        exportDeadlineSeconds = try reader.integer("CPV_EXPORT_DEADLINE_SECONDS", default: 300, range: 5...3_600)
        logLevel = try reader.choice("CPV_LOG_LEVEL", default: .info)
        logFormat = try reader.choice("CPV_LOG_FORMAT", default: .text)
        workers = try reader.integer("CPV_WORKERS", default: 128, range: 0...1_024)
        templatesDirectory = reader.string("CPV_TEMPLATES_DIR")
        tokenRefreshDays = try reader.integer("CPV_TOKEN_REFRESH_DAYS", default: 7, range: 1...60)
        graphScopes = (reader.string("CPV_GRAPH_SCOPES") ?? "Domain.ReadWrite.All,User.ReadWrite.All,Directory.Read.All")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let bad = graphScopes.first(where: { scope in !scope.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) } }) {
            throw ConfigurationError(key: "CPV_GRAPH_SCOPES", problem: "scope \"\(bad.prefix(60))\" is not a delegated permission name (letters, digits, . - _)")
        }
        if let raw = reader.string("CPV_GRANT_CEILING") {
            guard let ceiling = GrantCeiling(parsing: raw) else {
                throw ConfigurationError(
                    key: "CPV_GRANT_CEILING",
                    problem: "must read resource-app-id=Scope.One,Scope.Two;resource-app-id=scope (got \"\(raw.prefix(80))\")")
            }
            let seed = GrantSet.seed(applicationID: .microsoftGraph, displayName: "seed", graphScopes: graphScopes, createdAt: Date())
            if let excess = ceiling.excess(of: seed.grants).first {
                throw ConfigurationError(key: "CPV_GRAPH_SCOPES", problem: "the first grant set would be above CPV_GRANT_CEILING (\(excess))")
            }
            grantCeiling = ceiling
        } else {
            grantCeiling = nil
        }
        verifyGrants = try reader.boolean("CPV_VERIFY_GRANTS", default: false)
        syncIntervalHours = try reader.integer("CPV_SYNC_INTERVAL_HOURS", default: 6, range: 0...168)
        consentRateLimit = try reader.integer("CPV_CONSENT_RATE_LIMIT", default: 50, range: 0...10_000)
        consentBurst = try reader.integer("CPV_CONSENT_BURST", default: 1, range: 1...1_000)
        consentRateMargin = try reader.integer("CPV_CONSENT_RATE_MARGIN", default: 1, range: 0...1_000)
        if consentRateLimit > 0, consentBurst + consentRateMargin >= consentRateLimit {
            throw ConfigurationError(
                key: "CPV_CONSENT_BURST", problem: "burst plus margin (CPV_CONSENT_RATE_MARGIN) must stay below CPV_CONSENT_RATE_LIMIT")
        }
        runLeaseSeconds = try reader.integer("CPV_RUN_LEASE_SECONDS", default: 30, range: 3...3_600)
        runRescueIntervalSeconds = try reader.integer("CPV_RUN_RESCUE_INTERVAL_SECONDS", default: 10, range: 1...600)
        listingRateLimit = try reader.integer("CPV_LISTING_RATE_LIMIT", default: 500, range: 0...60_000)
        driftRunIntervalMinutes = try reader.integer("CPV_DRIFT_RUN_INTERVAL_MINUTES", default: 0, range: 0...10_080)
        // Graph allows an application about 130,000 requests per 10 s across tenants; a reconcile
        // plans for a sixth of that so other Graph users of the same application keep theirs.
        graphRateLimit = try reader.integer("CPV_GRAPH_RATE_LIMIT", default: 2_000, range: 0...13_000)
        tokenRateLimit = try reader.integer("CPV_TOKEN_RATE_LIMIT", default: 500, range: 0...10_000)
        applicationDisplayName = reader.string("CPV_APP_DISPLAY_NAME") ?? "CPV Consent Orchestrator"
        tokenStore = try reader.choice("CPV_TOKEN_STORE", default: .database)
        endpoints = EndpointOverrides(
            login: try reader.baseURL("CPV_LOGIN_URL"),
            partnerCenter: try reader.baseURL("CPV_PARTNER_CENTER_URL"),
            graph: try reader.baseURL("CPV_GRAPH_URL"),
            arm: try reader.baseURL("CPV_ARM_URL"),
            keyVault: try reader.baseURL("CPV_KEYVAULT_URL"))
        if let rawTenant = reader.string("CPV_KEYVAULT_TENANT_ID") {
            guard let tenant = TenantID(rawTenant) else {
                throw ConfigurationError(
                    key: "CPV_KEYVAULT_TENANT_ID", problem: "must be a tenant id (GUID) (got \"\(rawTenant.prefix(40))\")")
            }
            keyVaultTenantID = tenant
        } else {
            keyVaultTenantID = nil
        }

        if let raw = reader.string("CPV_AUDIT_UNKEYED_EVENTS") {
            guard let count = Int64(raw), count >= 0 else {
                throw ConfigurationError(key: "CPV_AUDIT_UNKEYED_EVENTS", problem: "must be a whole number of events, 0 or more (got \"\(raw.prefix(40))\")")
            }
            auditUnkeyedEvents = count
        } else {
            auditUnkeyedEvents = nil
        }

        guard purpose == .server else {
            applicationID = nil
            clientCredential = nil
            sealingKeys = nil
            auditKeys = nil
            return
        }

        guard let rawAppID = reader.string("CPV_APP_ID") else {
            throw ConfigurationError(key: "CPV_APP_ID", problem: "required: the CPV application's client id (a GUID)")
        }
        guard let appID = ApplicationID(rawAppID) else {
            throw ConfigurationError(key: "CPV_APP_ID", problem: "must be a GUID (got \"\(rawAppID.prefix(40))\")")
        }
        applicationID = appID

        let secret = try reader.secret("CPV_APP_SECRET")
        let certificate = try reader.filePath("CPV_APP_CERT_FILE")
        let privateKey = try reader.filePath("CPV_APP_KEY_FILE")
        let algorithm: AssertionAlgorithm = try reader.choice("CPV_APP_ASSERTION_ALGORITHM", default: .ps256)
        switch (secret, certificate, privateKey) {
        case (.some, .some, _), (.some, _, .some):
            throw ConfigurationError(
                key: "CPV_APP_SECRET", problem: "set either a client secret or CPV_APP_CERT_FILE + CPV_APP_KEY_FILE, not both")
        case (.some(let secret), nil, nil):
            clientCredential = .secret(secret)
        case (nil, .some(let certificate), .some(let privateKey)):
            clientCredential = .certificate(certificatePath: certificate, privateKeyPath: privateKey, algorithm: algorithm)
        case (nil, .some, nil):
            throw ConfigurationError(key: "CPV_APP_KEY_FILE", problem: "required with CPV_APP_CERT_FILE")
        case (nil, nil, .some):
            throw ConfigurationError(key: "CPV_APP_CERT_FILE", problem: "required with CPV_APP_KEY_FILE")
        case (nil, nil, nil):
            throw ConfigurationError(
                key: "CPV_APP_SECRET", problem: "required: a client secret (or CPV_APP_CERT_FILE + CPV_APP_KEY_FILE)")
        }

        guard let sealing = try reader.secret("CPV_SEALING_KEYS") else {
            throw ConfigurationError(
                key: "CPV_SEALING_KEYS", problem: "required: kid:base64key[,...] (generate a key with `cpv keys generate`)")
        }
        do {
            sealingKeys = try SealingKeyRing(parsing: sealing)
        } catch {
            throw ConfigurationError(key: "CPV_SEALING_KEYS", problem: error.description)
        }
        guard let audit = try reader.secret("CPV_AUDIT_KEYS") else {
            throw ConfigurationError(
                key: "CPV_AUDIT_KEYS",
                problem: "required: kid:base64key[,...], the audit chain's HMAC keys, kept outside the database (generate one with `cpv keys generate`)")
        }
        do {
            auditKeys = try AuditKeyRing(parsing: audit)
        } catch {
            throw ConfigurationError(key: "CPV_AUDIT_KEYS", problem: error.description)
        }
        if tokenStore == .keyvault && endpoints.keyVault == nil {
            throw ConfigurationError(key: "CPV_KEYVAULT_URL", problem: "required when CPV_TOKEN_STORE=keyvault")
        }
        if tokenStore == .keyvault && keyVaultTenantID == nil {
            throw ConfigurationError(
                key: "CPV_KEYVAULT_TENANT_ID", problem: "required when CPV_TOKEN_STORE=keyvault: the application's home tenant id")
        }
    }
}
