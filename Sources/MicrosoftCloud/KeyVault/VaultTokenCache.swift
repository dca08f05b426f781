import ConsentDomain
import Foundation

/// The application's own (app-only) Key Vault access token, kept until shortly before it expires.
///
/// One token serves every partner's secret, so fetching one per call would double the traffic to
/// Entra ID. Two callers that miss at once may both fetch: client_credentials has no single-use
/// secret to protect, so that is cheaper than serialising them.
actor VaultTokenCache {
    private var token: Secret<String>?
    private var expiresAt = Date.distantPast
    /// Renew this long before expiry so that a token never expires in flight.
    let refreshMargin: TimeInterval

    init(refreshMargin: TimeInterval) {
        self.refreshMargin = refreshMargin
    }

    func current(now: Date = Date()) -> Secret<String>? {
        guard let token, expiresAt.timeIntervalSince(now) > refreshMargin else { return nil }
        return token
    }

    func store(_ token: Secret<String>, expiresIn: Int, now: Date = Date()) {
        self.token = token
        expiresAt = now.addingTimeInterval(TimeInterval(expiresIn))
    }

    /// After a 401: the vault no longer accepts the cached token (revoked, clock skew).
    func invalidate() {
        token = nil
        expiresAt = .distantPast
    }
}
