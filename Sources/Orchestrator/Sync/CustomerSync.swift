import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud

/// Brings one partner's customer list in line with Partner Center's `/v1/customers`.
///
/// Pages are upserted as they arrive and then dropped, so memory stays flat whatever the number of
/// customers. Customers not listed are marked removed only after the listing reached its end: a
/// sync cut short must not make customers disappear.
public struct CustomerSync: Sendable {
    let partners: PartnerRepository
    let customers: CustomerRepository
    let tokens: PartnerTokenProvider
    let partnerCenter: PartnerCenterClient
    let pacer: any ListingPacer
    /// Microsoft's own bulk tool asks for 500, the most Partner Center serves per page.
    let pageSize: Int
    /// 429s waited out in one sync before giving up; each waits `Retry-After`.
    let maxThrottleWaits: Int
    /// Transport failures (timeouts, refused connections) retried per page.
    let maxTransportRetries: Int
    /// Server errors (5xx, 408) on one page: its attempts and the waits between them.
    let serverErrorBackoff: BackoffPolicy

    public init(
        partners: PartnerRepository, customers: CustomerRepository, tokens: PartnerTokenProvider,
        partnerCenter: PartnerCenterClient, pacer: any ListingPacer = RequestPacer(), pageSize: Int = 500,
        maxThrottleWaits: Int = 20, maxTransportRetries: Int = 2, serverErrorBackoff: BackoffPolicy = .listingPages
    ) {
        self.partners = partners
        self.customers = customers
        self.tokens = tokens
        self.partnerCenter = partnerCenter
        self.pacer = pacer
        self.pageSize = pageSize
        self.maxThrottleWaits = maxThrottleWaits
        self.maxTransportRetries = maxTransportRetries
        self.serverErrorBackoff = serverErrorBackoff
    }

    /// Syncs the partner's customers and records a `customers.synced` audit event.
    public func sync(partnerID: UUID, actor: String, logger: Logger) async throws -> CustomerSyncSummary {
        var logger = logger
        logger[metadataKey: "cpv.partner"] = "\(partnerID.guidText)"
        guard let partner = try await partners.partner(id: partnerID, logger: logger) else {
            throw CustomerSyncError.partnerNotFound(partnerID)
        }
        guard partner.status == .active else {
            throw CustomerSyncError.partnerNotActive(partnerID, status: partner.status.rawValue)
        }
        let started = ContinuousClock.now
        let syncStart = try await customers.syncStartTime(logger: logger)
        var summary = CustomerSyncSummary(partnerID: partnerID)
        var continuation: PartnerCenterCustomerPage.Continuation?
        repeat {
            guard let page = try await fetch(partner: partner, continuation: continuation, summary: &summary, logger: logger) else {
                summary.listingComplete = false
                break
            }
            summary.pages += 1
            let listings = page.customers.compactMap { listed -> CustomerListing? in
                guard let tenant = TenantID(listed.tenantID) else { return nil }
                return CustomerListing(
                    tenantID: tenant, companyName: listed.companyName, domain: listed.domain, relationship: listed.relationship)
            }
            summary.skipped += page.customers.count - listings.count
            let counts = try await customers.upsertPage(partnerID: partnerID, customers: listings, logger: logger)
            summary.added += counts.added
            summary.updated += counts.updated
            continuation = page.next
        } while continuation != nil
        if summary.listingComplete {
            summary.removed = try await customers.markRemoved(partnerID: partnerID, notSeenSince: syncStart, logger: logger)
        } else {
            logger.warning("Partner Center ended the customer listing early (400 code 2000); nobody was marked removed")
        }
        summary.durationMilliseconds = (ContinuousClock.now - started).wholeMilliseconds
        try await partners.audit.append(
            AuditRecord(
                actor: actor, action: "customers.synced", partnerID: partnerID,
                durationMilliseconds: summary.durationMilliseconds, details: Self.details(summary)),
            client: customers.client, logger: logger)
        logger.info(
            "customer sync finished",
            metadata: [
                "cpv.added": "\(summary.added)", "cpv.updated": "\(summary.updated)", "cpv.removed": "\(summary.removed)",
                "cpv.pages": "\(summary.pages)",
            ])
        return summary
    }

    /// One page, paced, with 429s waited out and a stale token replaced once. Nil means Partner
    /// Center answered 400 code 2000 to a continuation: Microsoft's NCE migration tool reads that as
    /// "no more records" (§5.2), but an expired continuation token answers the same, so the sync
    /// stops there without marking anyone removed.
    private func fetch(
        partner: Partner, continuation: PartnerCenterCustomerPage.Continuation?, summary: inout CustomerSyncSummary,
        logger: Logger
    ) async throws -> PartnerCenterCustomerPage? {
        var transportFailures = 0
        var serverErrors = 0
        var renewedToken = false
        while true {
            try await pacer.wait(for: partner.id, logger: logger)
            let token: Secret<String>
            do {
                token = try await tokens.partnerCenterToken(for: partner, logger: logger)
            } catch {
                throw CustomerSyncError.token(code: error.code, reason: error.reason.rawValue)
            }
            do {
                return try await partnerCenter.customers(
                    profile: tokens.profile(for: partner), accessToken: token, pageSize: pageSize, continuation: continuation,
                    logger: logger)
            } catch .failed(let failure) {
                switch failure.status {
                case 429 where summary.throttled < maxThrottleWaits:
                    summary.throttled += 1
                    await pacer.throttled(partnerID: partner.id, retryAfter: failure.retryAfter, logger: logger)
                    try await Task.sleep(for: .milliseconds(Int((failure.retryAfter ?? 1) * 1_000)))
                case 400 where failure.code == "2000" && continuation != nil:
                    return nil
                case let status where (status == 408 || (500...599).contains(status))
                    && serverErrors + 1 < serverErrorBackoff.maxAttempts:
                    // Transient: a listing that stopped at one 5xx left a whole sync undone
                    // (measured: one page in ten answering 500 failed most syncs of 2,000 customers).
                    serverErrors += 1
                    summary.serverErrors += 1
                    logger.warning(
                        "Partner Center answered a server error while listing customers; retrying",
                        metadata: ["cpv.status": "\(failure.status)", "cpv.attempt": "\(serverErrors)"])
                    let seconds = serverErrorBackoff.delay(attempt: serverErrors, random: Double.random(in: 0..<1))
                    try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
                case 401 where !renewedToken:
                    // A cached token Partner Center no longer takes: one more try with a fresh one.
                    renewedToken = true
                    await tokens.forget(partnerID: partner.id)
                default:
                    throw CustomerSyncError.partnerCenter(status: failure.status, code: failure.errorCode)
                }
            } catch .transport(let reason) {
                transportFailures += 1
                guard transportFailures <= maxTransportRetries else { throw CustomerSyncError.unreachable(reason) }
            } catch .malformedResponse(let status) {
                throw CustomerSyncError.malformedResponse(status: status)
            }
        }
    }

    static func details(_ summary: CustomerSyncSummary) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let values = [
            "added": summary.added, "updated": summary.updated, "removed": summary.removed, "pages": summary.pages,
            "skipped": summary.skipped, "throttled": summary.throttled, "serverErrors": summary.serverErrors, "durationMs": summary.durationMilliseconds,
            "listingComplete": summary.listingComplete ? 1 : 0,
        ]
        return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
