import ConsentDomain
import ConsentStore
import Foundation
import Logging

extension ConsentGrantor {
    /// Verify first (issue #16): read what the tenant holds through Graph; where it is exactly the
    /// grant set, stop there (no consent call, no consent budget); where it differs or our app is
    /// missing, DELETE + POST through the usual task and its budget, then read again with a fresh
    /// token. A reading that fails is `unknown`: stored and reported as such, and the task is tried
    /// again (after the Retry-After of a 429), never counted as verified.
    ///
    /// Each reading is stored with its audit events in one write; `consent.drift.detected` is
    /// written when a tenant differs in a way the last reading did not show.
    func reconcile(_ context: GrantContext, partner: Partner, grantSet: GrantSet, actor: String, logger: Logger) async throws
        -> ConsentGrantOutcome
    {
        guard let reader else { throw ConsentGrantorError.noReader }
        let customer = context.customer
        let trail = ConsentAuditTrail(actor: actor, partnerID: partner.id, customerID: customer.id, grantSetVersion: grantSet.version)
        let before = await reader.read(partner: partner, customerTenant: customer.tenantID, grantSet: grantSet, fresh: false, logger: logger)
        try await record(before.verification, previous: context.verification?.verification, grantSet: grantSet, trail: trail, logger: logger)
        metrics.reconciled(state: before.verification.state).increment()

        var outcome = ConsentGrantOutcome(
            customerID: customer.id, result: .succeeded, state: context.consent?.state ?? .unknown,
            grantSetVersion: context.consent?.grantSetVersion, errorCode: nil, calls: [], verification: nil, failure: nil, reason: nil,
            reconciled: before.verification, graphReads: before.graphReads)
        switch before.verification.state {
        case .verified:
            return outcome
        case .unknown:
            outcome.result = before.partnerFailure == nil ? .failed : .blocked
            outcome.failure = before.partnerFailure == nil ? .transient : .partner
            outcome.errorCode = before.verification.code
            outcome.reason = before.verification.reason
            outcome.retryAfter = before.retryAfter
            return outcome
        case .drifted, .missing:
            var granted = try await run(
                .grant, partner: partner, customer: customer, grantSet: grantSet, stored: context.consent, actor: actor, logger: logger)
            granted.reconciled = before.verification
            granted.graphReads = before.graphReads
            guard granted.result == .succeeded else { return granted }
            // Read again, with a token minted after the consent (one minted before does not carry it).
            let after = await reader.read(partner: partner, customerTenant: customer.tenantID, grantSet: grantSet, fresh: true, logger: logger)
            try await record(after.verification, previous: before.verification, grantSet: grantSet, trail: trail, logger: logger)
            metrics.reconciled(state: after.verification.state).increment()
            granted.graphReads += after.graphReads
            granted.verification = GrantVerification(
                verified: after.verification.state == .verified, servicePrincipalID: after.verification.servicePrincipalID,
                differences: after.verification.summary, errorCode: after.verification.state == .unknown ? after.verification.code : nil,
                reading: after.verification)
            return granted
        }
    }

    /// Stores a reading with the events that report it: `consent.drift.detected` when the tenant
    /// differs (drifted or missing) and the previous reading did not show that same difference,
    /// `consent.verified` when a reading after a repair finds the grant set in place.
    private func record(
        _ reading: ConsentVerification, previous: ConsentVerification?, grantSet: GrantSet, trail: ConsentAuditTrail, logger: Logger
    ) async throws {
        var audit: [AuditRecord] = []
        let correlation = UUID()
        switch reading.state {
        case .drifted, .missing:
            if previous?.state != reading.state || previous?.resources != reading.resources {
                var details = ["state": reading.state.rawValue, "previousState": previous?.state.rawValue ?? "none"]
                if !reading.resources.isEmpty { details["differences"] = reading.summary.joined(separator: "; ") }
                if let reason = reading.reason { details["reason"] = reason }
                audit.append(trail.custom("consent.drift.detected", correlationID: correlation, errorCode: reading.code, details: details))
            }
        case .verified:
            if let previous, previous.state.needsGrant {
                audit.append(
                    trail.custom(
                        "consent.verified", correlationID: correlation,
                        details: ["servicePrincipalId": reading.servicePrincipalID ?? "", "previousState": previous.state.rawValue]))
            }
        case .unknown:
            break
        }
        try await writes.apply(
            customerID: trail.customerID, change: nil, audit: audit,
            verification: VerificationWrite(verification: reading, grantSetVersion: grantSet.version), logger: logger)
    }
}
