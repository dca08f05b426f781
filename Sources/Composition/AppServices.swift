import AsyncHTTPClient
import ConsentDomain
import ConsentStore
import Foundation
import Logging
import Metrics
import MicrosoftCloud
import Orchestrator
import PostgresNIO
import ServiceLifecycle

/// Everything a `cpv` process wires together from its configuration, built in one place so that
/// `cpv serve`, `cpv worker`, the one-shot commands and the tests get the same graph.
///
/// Owns one long-lived resource that must run as a service: the PostgreSQL pool
/// (`longLivedServices`). Microsoft's endpoints are called through `HTTPClient.microsoft`.
public struct AppServices: Sendable {
    public let configuration: AppConfiguration
    public let database: PostgresClient
    public let http: HTTPClient
    public let partners: PartnerRepository
    public let staffTokens: StaffTokenRepository
    /// Appends to the keyed audit chain (`CPV_AUDIT_KEYS`); every repository that audits holds it.
    public let audit: AuditWriter
    /// Walks the audit chain on request, one walk at a time.
    public let auditVerification: AuditVerification
    public let sealer: TokenSealer
    /// Where refresh tokens live (`CPV_TOKEN_STORE`).
    public let tokenStore: any RefreshTokenStore
    /// Present when `CPV_TOKEN_STORE=keyvault`.
    public let keyVault: KeyVaultClient?
    public let entra: EntraTokenClient
    public let tokenProvider: PartnerTokenProvider
    public let partnerCenter: PartnerCenterClient
    public let onboarding: PartnerOnboarding
    /// Consent invitations and who may issue them.
    public let invitations: ConsentInvitations
    public let verifier: PartnerVerifier
    public let overrides: CloudProfile.Overrides
    /// Flow-control, run and token metrics, on the process's metrics system (Prometheus in `cpv
    /// serve` and `cpv worker`).
    public let flowMetrics: FlowMetrics
    public let customers: CustomerRepository
    public let grantSets: GrantSetRepository
    /// Proposals and two-admin approval of grant sets, within the ceiling (`CPV_GRANT_CEILING`, by
    /// default exactly the seeded first grant set).
    public let grantSetPublishing: GrantSetPublishing
    public let consentStates: ConsentStateRepository
    public let runs: RunRepository
    /// Creating, steering and reading runs with the role rules (API, console, CLI).
    public let runService: RunService
    public let runTaskQueue: RunTaskQueue
    /// The listing budget per partner, held in the database (`CPV_LISTING_RATE_LIMIT` requests a
    /// minute) so that syncs in every process together stay within it; with 0 only Partner
    /// Center's 429s (waited out) pace them.
    public let listingPacer: any ListingPacer
    public let customerSync: CustomerSync
    /// The consent budget of the CPV application id shared by every process
    /// (`CPV_CONSENT_RATE_LIMIT`, `CPV_CONSENT_BURST`, `CPV_CONSENT_RATE_MARGIN`); nil when off.
    public let consentRateGovernor: DatabaseRateGovernor?
    /// The one grantor of the process (run workers, the API, the console, the CLI): behind the
    /// shared consent budget, verifying through Graph when `CPV_VERIFY_GRANTS` says so. One
    /// instance, so that its group commit batches every caller's writes.
    public let grantor: ConsentGrantor
    /// Reads customer tenants through Graph for reconcile runs and `CPV_VERIFY_GRANTS`, within its budgets.
    public let consentReader: ConsentReader
    /// Customers' last Graph readings (reconcile), for the API, the console and reports.
    public let verifications: VerificationRepository

    public init(configuration: AppConfiguration, logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory) throws {
        guard let applicationID = configuration.applicationID, let sealingKeys = configuration.sealingKeys,
            let credentialSetting = configuration.clientCredential, let auditKeys = configuration.auditKeys
        else {
            throw ConfigurationError(key: "CPV_APP_ID", problem: "the server configuration is incomplete")
        }
        self.configuration = configuration
        flowMetrics = FlowMetrics(factory: metricsFactory)
        var databaseConfiguration = configuration.database.clientConfiguration()
        databaseConfiguration.options.maximumConnections = configuration.databaseMaxConnections
        database = PostgresClient(configuration: databaseConfiguration, backgroundLogger: logger)

        // The process-wide client: it needs no shutdown, so no code path (a failed boot, a test that
        // throws before its services start) can leak it. Every request carries its own deadline.
        http = HTTPClient.microsoft

        let credential: ClientCredential
        switch credentialSetting {
        case .secret(let secret):
            credential = .secret(secret, style: .formBody)
        case .certificate(let certificatePath, let privateKeyPath, let algorithm):
            do {
                credential = .certificate(
                    try ClientCertificate(
                        certificatePath: certificatePath, privateKeyPath: privateKeyPath,
                        algorithm: algorithm == .ps256 ? .ps256 : .rs256))
            } catch {
                throw ConfigurationError(key: "CPV_APP_CERT_FILE", problem: error.description)
            }
        }
        overrides = CloudProfile.Overrides(
            login: configuration.endpoints.login, partnerCenter: configuration.endpoints.partnerCenter,
            graph: configuration.endpoints.graph, arm: configuration.endpoints.arm)
        audit = AuditWriter(keys: auditKeys)
        auditVerification = AuditVerification(
            client: database, keys: auditKeys, expectedUnkeyedEvents: configuration.auditUnkeyedEvents)
        partners = PartnerRepository(client: database, audit: audit)
        staffTokens = StaffTokenRepository(client: database, audit: audit)
        sealer = TokenSealer(keys: sealingKeys)
        entra = EntraTokenClient(http: http, clientID: applicationID.description, credential: credential)
        switch configuration.tokenStore {
        case .database:
            keyVault = nil
            tokenStore = DatabaseRefreshTokenStore(repository: partners, sealer: sealer)
        case .keyvault:
            guard let vaultURL = configuration.endpoints.keyVault, let vaultTenant = configuration.keyVaultTenantID else {
                throw ConfigurationError(key: "CPV_KEYVAULT_URL", problem: "required when CPV_TOKEN_STORE=keyvault")
            }
            let vault = KeyVaultClient(http: http, entra: entra, vaultURL: vaultURL, tenantID: vaultTenant, overrides: overrides)
            keyVault = vault
            tokenStore = KeyVaultRefreshTokenStore(repository: partners, vault: vault, sealer: sealer)
        }
        tokenProvider = PartnerTokenProvider(
            repository: partners, store: tokenStore, entra: entra, overrides: overrides, metrics: flowMetrics)
        partnerCenter = PartnerCenterClient(http: http)
        onboarding = PartnerOnboarding(
            repository: partners, store: tokenStore, entra: entra, graph: GraphClient(http: http), overrides: overrides,
            clientID: applicationID.description, publicURL: configuration.publicURL)
        invitations = ConsentInvitations(onboarding: onboarding, defaultLifetimeDays: configuration.invitationDays)
        verifier = PartnerVerifier(provider: tokenProvider, partnerCenter: partnerCenter)

        customers = CustomerRepository(client: database)
        grantSets = GrantSetRepository(client: database, audit: audit)
        let seeded = GrantSet.seed(
            applicationID: applicationID, displayName: configuration.applicationDisplayName,
            graphScopes: configuration.graphScopes, createdAt: Date())
        grantSetPublishing = GrantSetPublishing(grantSets: grantSets, ceiling: configuration.grantCeiling ?? GrantCeiling(grants: seeded.grants))
        consentStates = ConsentStateRepository(client: database, audit: audit)
        verifications = VerificationRepository(client: database)
        runs = RunRepository(client: database, audit: audit)
        runService = RunService(runs: runs)
        runTaskQueue = RunTaskQueue(client: database, audit: audit)
        let buckets = RateBucketRepository(client: database)
        listingPacer =
            configuration.listingRateLimit > 0
            ? DatabaseListingPacer(buckets: buckets, requestsPerMinute: configuration.listingRateLimit)
            : RequestPacer(limit: 1_000_000, window: .seconds(1))
        customerSync = CustomerSync(
            partners: partners, customers: customers, tokens: tokenProvider, partnerCenter: partnerCenter, pacer: listingPacer)
        consentRateGovernor =
            configuration.consentRateLimit > 0
            ? DatabaseRateGovernor(
                buckets: buckets, key: "consent:\(applicationID)",
                budget: .init(limit: configuration.consentRateLimit, burst: configuration.consentBurst, margin: configuration.consentRateMargin),
                metrics: flowMetrics)
            : nil
        consentReader = ConsentReader(
            tokens: tokenProvider, graph: GraphClient(http: http),
            budgets: configuration.graphRateLimit > 0 && configuration.tokenRateLimit > 0
                ? .init(
                    graph: RequestBudget(buckets: buckets, key: "graph:\(applicationID)", perSecond: Double(configuration.graphRateLimit)),
                    tokens: RequestBudget(buckets: buckets, key: "token:\(applicationID)", perSecond: Double(configuration.tokenRateLimit)))
                : nil)
        grantor = ConsentGrantor(
            partners: partners, customers: customers, consents: consentStates, tokens: tokenProvider, partnerCenter: partnerCenter,
            verifier: GrantVerifier(reader: consentReader), reader: consentReader,
            configuration: .init(verifyGrants: configuration.verifyGrants, gate: consentRateGovernor), metrics: flowMetrics)
    }

    /// The grantor, or one like it that verifies through Graph as `verifyGrants` says (`cpv regrant --verify`).
    public func grantor(verifying verifyGrants: Bool) -> ConsentGrantor {
        guard verifyGrants != configuration.verifyGrants else { return grantor }
        return ConsentGrantor(
            partners: partners, customers: customers, consents: consentStates, tokens: tokenProvider, partnerCenter: partnerCenter,
            verifier: GrantVerifier(reader: consentReader), reader: consentReader,
            configuration: .init(verifyGrants: verifyGrants, gate: consentRateGovernor), metrics: flowMetrics)
    }

    /// The services every process runs: the database pool.
    public var longLivedServices: [any Service] {
        [database]
    }

    /// Background work of `cpv serve` (and later `cpv worker`).
    public func backgroundServices(logger: Logger) -> [any Service] {
        var services: [any Service] = [
            ConsentHousekeeping(invitations: invitations, logger: logger),
            TokenKeeper(
                repository: partners, provider: tokenProvider, redeemAfter: TimeInterval(configuration.tokenRefreshDays) * 86_400,
                logger: logger)
        ]
        if configuration.syncIntervalHours > 0 {
            services.append(customerSyncService(interval: .seconds(configuration.syncIntervalHours * 3_600), logger: logger))
        }
        services.append(contentsOf: runWorkers(logger: logger))
        if configuration.driftRunIntervalMinutes > 0 {
            services.append(DriftRunScheduler(runs: runs, interval: .seconds(configuration.driftRunIntervalMinutes * 60), logger: logger))
        }
        services.append(RunMetricsSampler(runs: runs, metrics: flowMetrics, logger: logger))
        return services
    }
}
