import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud

/// Re-grants the CPV application's consent in one customer tenant: DELETE the consent, then POST
/// it again with the current grant set, as the domain's `ConsentStateMachine` directs.
///
/// - Every call gets a fresh `MS-RequestId`, reused only when retrying that same call (Partner
///   Center deduplicates on it); each DELETE+POST pair shares one `MS-CorrelationId`.
/// - A `*.requested` audit event is committed before each call and its outcome after it; the
///   customer's state and the events explaining it are written in one transaction.
/// - A crash between the DELETE and the POST leaves the state `granting` (or `missing`), which the
///   next attempt starts from: it deletes again (404 is fine) and posts.
public struct ConsentGrantor: Sendable {
    let partners: PartnerRepository
    let customers: CustomerRepository
    let consents: ConsentStateRepository
    /// Every state change and audit event of this grantor's tasks goes through it (group commit).
    let writes: ConsentWriteBatcher
    let tokens: PartnerTokenProvider
    let partnerCenter: PartnerCenterClient
    let verifier: GrantVerifier?
    /// Reads the tenant through Graph for reconcile tasks (the verifier's reader when not given).
    let reader: ConsentReader?
    let configuration: Configuration
    let metrics: FlowMetrics

    public init(
        partners: PartnerRepository, customers: CustomerRepository,
        consents: ConsentStateRepository, tokens: PartnerTokenProvider, partnerCenter: PartnerCenterClient,
        verifier: GrantVerifier? = nil, reader: ConsentReader? = nil, configuration: Configuration = Configuration(),
        metrics: FlowMetrics = FlowMetrics()
    ) {
        self.partners = partners
        self.customers = customers
        self.consents = consents
        self.writes = ConsentWriteBatcher(repository: consents)
        self.tokens = tokens
        self.partnerCenter = partnerCenter
        self.verifier = verifier
        self.reader = reader ?? verifier?.reader
        self.configuration = configuration
        self.metrics = metrics
    }

    /// Runs the DELETE+POST pair for one customer (`customers.id`) with the newest grant set and
    /// returns how it ended. Throws only when the task cannot start or the database fails.
    public func regrant(customerID: Int64, actor: String, logger: Logger) async throws -> ConsentGrantOutcome {
        try await perform(.grant, customerID: customerID, actor: actor, logger: logger)
    }

    /// Removes the CPV application's consent from one customer tenant: the DELETE alone (404 counts
    /// as done), leaving the state `revoked`. The incident kill switch; never verified through Graph.
    public func revoke(customerID: Int64, actor: String, logger: Logger) async throws -> ConsentGrantOutcome {
        try await perform(.revoke, customerID: customerID, actor: actor, logger: logger)
    }

    /// Runs `action` for one customer: `regrant`, `revoke` or `reconcile` (read first, grant only
    /// where the tenant differs: `ConsentGrantor+Reconcile.swift`).
    public func perform(_ action: RunAction, customerID: Int64, actor: String, logger: Logger) async throws -> ConsentGrantOutcome {
        var logger = logger
        logger[metadataKey: "cpv.customer"] = "\(customerID)"
        // Customer, partner, grant set and stored consent in one statement.
        guard let context = try await GrantContextQuery(client: customers.client).context(customerID: customerID, logger: logger) else {
            throw ConsentGrantorError.customerNotFound(customerID)
        }
        let customer = context.customer
        guard customer.isListed else { throw ConsentGrantorError.customerRemoved(customerID) }
        guard let partner = context.partner else { throw ConsentGrantorError.partnerNotFound(customer.partnerID) }
        guard partner.status != .disabled else { throw ConsentGrantorError.partnerDisabled(partner.id) }
        guard let grantSet = context.grantSet else { throw ConsentGrantorError.noGrantSet }
        logger[metadataKey: "cpv.partner"] = "\(partner.id.guidText)"
        if action == .reconcile {
            return try await reconcile(context, partner: partner, grantSet: grantSet, actor: actor, logger: logger)
        }
        return try await run(
            action, partner: partner, customer: customer, grantSet: grantSet, stored: context.consent, actor: actor, logger: logger)
    }

    /// The consent state machine's calls for one customer (grant or revoke), then the optional check.
    func run(
        _ action: RunAction, partner: Partner, customer: Customer, grantSet: GrantSet, stored: CustomerConsentRecord?, actor: String,
        logger: Logger
    ) async throws -> ConsentGrantOutcome {
        var task = ConsentTask(
            uses: .init(
                partners: partners, writes: writes, tokens: tokens, partnerCenter: partnerCenter, configuration: configuration,
                metrics: metrics),
            partner: partner, customer: customer, grantSet: grantSet, action: action, payload: try ConsentPayload(grantSet).json(),
            trail: ConsentAuditTrail(actor: actor, partnerID: partner.id, customerID: customer.id, grantSetVersion: grantSet.version),
            machine: ConsentStateMachine(
                state: stored?.state ?? .unknown, grantSetVersion: stored?.grantSetVersion,
                maxAttempts: configuration.backoff.maxAttempts),
            logger: logger)
        var outcome = try await task.run()
        if action == .grant, outcome.result == .succeeded, configuration.verifyGrants, let verifier {
            outcome.verification = try await verify(
                verifier, partner: partner, customer: customer, grantSet: grantSet, trail: task.trail,
                correlationID: task.correlationID, logger: logger)
        }
        return outcome
    }

    /// Checks the grant through Graph in the customer tenant and records `consent.verified` or
    /// `consent.verification_failed` with the differences. A failed check does not change the state:
    /// Partner Center said yes, and Graph may lag behind it by minutes (§7.4).
    private func verify(
        _ verifier: GrantVerifier, partner: Partner, customer: Customer, grantSet: GrantSet, trail: ConsentAuditTrail,
        correlationID: UUID, logger: Logger
    ) async throws -> GrantVerification {
        let verification = await verifier.verify(partner: partner, customerTenant: customer.tenantID, grantSet: grantSet, logger: logger)
        let record: AuditRecord
        if verification.verified {
            record = trail.custom("consent.verified", correlationID: correlationID, details: ["servicePrincipalId": verification.servicePrincipalID ?? ""])
        } else {
            record = trail.custom(
                "consent.verification_failed", correlationID: correlationID, errorCode: verification.errorCode,
                details: ["differences": verification.differences.joined(separator: "; ")])
        }
        try await writes.apply(customerID: customer.id, change: nil, audit: [record], logger: logger)
        return verification
    }
}
