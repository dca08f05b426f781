import Foundation

/// Consent writes, each one actor turn so idempotency, conflicts and armed faults stay consistent.
extension SimulatorState {
    func createConsent(customerId: String, consent: SimulatedConsent, idempotencyKey: String?, now: Date) -> StoredResponse {
        if let key = idempotencyKey, let earlier = remembered(key) { return earlier }
        if takeForcedConflict(customerId: customerId) {
            // Not remembered, like the other injected failures: nothing was applied.
            return PartnerCenterError.consentExists.stored
        }
        if let status = armedPostFailures.removeValue(forKey: customerId) {
            // Not remembered: the write never happened, so a retry with the same MS-RequestId may succeed.
            return PartnerCenterError(status: .init(code: status), code: 500, description: "Internal server error while creating the application consent.").stored
        }
        let appId = consent.applicationId.lowercased()
        let answer: StoredResponse
        if consents[customerId]?[appId] != nil {
            answer = PartnerCenterError.consentExists.stored
        } else {
            consents[customerId, default: [:]][appId] = ConsentRecord(customerId: customerId, consent: consent, now: now)
            let body = (try? HTTPResponses.jsonEncoder.encode(consent)) ?? Data()
            answer = StoredResponse(status: 201, body: Array(body))
        }
        if let key = idempotencyKey { remember(key, answer) }
        return answer
    }

    func deleteConsent(customerId: String, applicationId: String, idempotencyKey: String?) -> StoredResponse {
        if let key = idempotencyKey, let earlier = remembered(key) { return earlier }
        let answer: StoredResponse
        if consents[customerId]?.removeValue(forKey: applicationId) != nil {
            answer = StoredResponse(status: 204, body: [])
            if let status = faultStore.withLock({ $0.failPostAfterDelete.removeValue(forKey: customerId) }) {
                armedPostFailures[customerId] = status
            }
        } else {
            answer = PartnerCenterError.consentNotFound.stored
        }
        if let key = idempotencyKey { remember(key, answer) }
        return answer
    }

    /// Counts down `conflictOnPost` for the customer; true when this POST is to answer 409.
    private func takeForcedConflict(customerId: String) -> Bool {
        faultStore.withLock { faults in
            guard let remaining = faults.conflictOnPost[customerId], remaining > 0 else { return false }
            faults.conflictOnPost[customerId] = remaining > 1 ? remaining - 1 : nil
            return true
        }
    }
}
