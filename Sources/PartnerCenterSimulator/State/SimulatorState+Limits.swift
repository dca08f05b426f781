import Foundation
import Hummingbird

/// Rate limits at run time, the consent-call statistics, and the admission of consent calls.
extension SimulatorState {
    /// The rate-limit settings in force; `enabled` is the faults' `rateLimitsEnabled` switch.
    public nonisolated var rateLimits: RateLimitOptions {
        var current = rateLimiter.settings
        current.enabled = faults.rateLimitsEnabled
        return current
    }

    /// New rate-limit settings (`PUT /_sim/rate-limits`); a new model forgets every key's memory.
    public nonisolated func setRateLimits(_ settings: RateLimitOptions) {
        rateLimiter.update(settings)
        faultStore.withLock { $0.rateLimitsEnabled = settings.enabled }
    }

    /// Counters since start or the last `resetStats()`.
    public nonisolated func stats() -> SimulatorStats {
        let recorder = consentStats.value
        return SimulatorStats(since: recorder.since, consentCalls: recorder.stats, graphCalls: graphStats.value.stats)
    }

    public nonisolated func resetStats() {
        let now = clock.now().timeIntervalSince1970
        consentStats.withLock { $0 = ConsentStatsRecorder(since: now) }
        graphStats.withLock { $0 = GraphStatsRecorder() }
    }

    /// Counts a consent call in the limiter and the statistics the moment it arrives, before latency,
    /// faults and authentication, so that every call counts, failed or refused. Returns the
    /// Retry-After seconds when the limiter refuses it.
    nonisolated func admitConsentCall(_ request: Request, at now: Date) -> Int? {
        let instant = now.timeIntervalSince1970
        let current = faults
        var retryAfter: Int?
        var phantoms = 0
        if current.rateLimitsEnabled {
            let (decision, added) = rateLimiter.admitConsentCall(
                applicationKey: consentLimitKey(request), at: instant, otherConsumer: current.otherConsumer?.schedule)
            phantoms = added
            if case .refused(let seconds) = decision { retryAfter = seconds }
        }
        consentStats.withLock { $0.arrived(at: instant, admitted: retryAfter == nil, phantoms: phantoms) }
        return retryAfter
    }

    nonisolated func recordConsentAnswer(status: Int, cause: AnswerCause) {
        consentStats.withLock { $0.answered(status: status, cause: cause) }
    }

    /// The application a consent call is counted for: the `appid` of its bearer token when the
    /// signature is ours (expiry and audience are not checked: the limiter identifies the caller, it
    /// does not authorise it). Calls whose token names no application share one key.
    private nonisolated func consentLimitKey(_ request: Request) -> String {
        signedClaims(request)?.appid?.lowercased() ?? "unidentified"
    }

    /// The claims of the request's bearer token when its signature is ours, nothing else checked.
    nonisolated func signedClaims(_ request: Request) -> AccessTokenClaims? {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return nil
        }
        let token = String(header.dropFirst(7))
        return verifiedTokens.claims(for: token) ?? signer.verify(token, as: AccessTokenClaims.self)
    }
}

/// POST `/v1/customers/{id}/applicationconsents` and DELETE `/v1/customers/{id}/applicationconsents/{appId}`:
/// the calls Partner Center limits to 50 per second per application id.
enum ConsentCall {
    static func matches(method: HTTPRequest.Method, path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "v1", "customers", id, "applicationconsents"[, appId]
        guard parts.count >= 5, parts[1] == "v1", parts[2] == "customers", !parts[3].isEmpty,
              parts[4] == "applicationconsents"
        else { return false }
        switch method {
        case .post: return parts.count == 5
        case .delete: return parts.count == 6 && !parts[5].isEmpty
        default: return false
        }
    }
}
