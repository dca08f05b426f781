import Foundation

/// Consents that exist before a benchmark or test starts, as if an earlier grant had run.
extension SimulatorState {
    /// Gives every customer of the world (or of one partner) `consent`, replacing any it holds for
    /// that application: a fresh service principal and one grant per resource, as a POST would.
    /// Returns how many customers hold it now.
    func seedConsents(_ consent: SimulatedConsent, partnerTenantId: String?, now: Date) -> Int {
        let appId = consent.applicationId.lowercased()
        var seeded = 0
        for (customerId, entry) in index.customers where partnerTenantId == nil || entry.partnerTenantId == partnerTenantId {
            consents[customerId, default: [:]][appId] = ConsentRecord(customerId: customerId, consent: consent, now: now)
            seeded += 1
        }
        return seeded
    }
}
