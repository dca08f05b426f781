import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud

/// Access tokens for a partner, from its stored refresh token (sealed in PostgreSQL or in Key
/// Vault, see `RefreshTokenStore`), with the rotated refresh token written back every time.
///
/// - Cached per (partner, tenant, scope) and refreshed `refreshMargin` before expiry.
/// - One redemption per (partner, tenant, scope) at a time inside the process (`KeyedLock`), so
///   callers waiting for the same token share one redemption while a reconcile redeems for many
///   customer tenants of one partner at once (one lock per partner held it to one redemption per
///   round trip to Entra: about ten customers a second). Each redemption may return a rotated
///   refresh token; the compare-and-set on `token_version` keeps one of them, in any process, and
///   the others stay valid (Entra does not revoke a refresh token when it issues the next).
/// - A dead token (700082, 70008, 50173, MFA, Conditional Access) flips the partner to
///   `needs_reconsent` with an audit event, so nobody keeps calling with it.
public actor PartnerTokenProvider {
    struct CacheKey: Hashable {
        let partnerID: UUID
        let tenant: String
        let scope: String
    }

    struct CachedToken {
        let token: Secret<String>
        let expiresAt: Date
    }

    let repository: PartnerRepository
    let store: any RefreshTokenStore
    let entra: EntraTokenClient
    let overrides: CloudProfile.Overrides
    /// Entra's SDKs refresh 30 s ahead and CIPP 120 s; five minutes also covers a slow batch.
    let refreshMargin: TimeInterval
    let metrics: FlowMetrics
    private var cache: [CacheKey: CachedToken] = [:]
    private let lock = KeyedLock<CacheKey>()

    public init(
        repository: PartnerRepository, store: any RefreshTokenStore, entra: EntraTokenClient, overrides: CloudProfile.Overrides,
        refreshMargin: TimeInterval = 300, metrics: FlowMetrics = FlowMetrics()
    ) {
        self.repository = repository
        self.store = store
        self.entra = entra
        self.overrides = overrides
        self.refreshMargin = refreshMargin
        self.metrics = metrics
    }

    public nonisolated func profile(for partner: Partner) -> CloudProfile {
        CloudProfile.resolve(partner.cloud, overrides: overrides)
    }

    /// A Partner Center token for the partner's own tenant.
    public func partnerCenterToken(for partner: Partner, logger: Logger) async throws(PartnerTokenError) -> Secret<String> {
        let profile = profile(for: partner)
        return try await accessToken(for: partner, tenant: partner.tenantID.description, scope: profile.partnerCenterScope, logger: logger)
    }

    /// An access token for `scope` in `tenant` (the partner's, or one of its customers').
    /// `forceRedeem` skips the cache: the token keeper uses it to keep the refresh token alive.
    /// `keep: false` does not cache the new token: a reconcile reads each customer tenant once, and
    /// 100,000 cached tokens would be 150 MB of memory for nothing.
    public func accessToken(
        for partner: Partner, tenant: String, scope: String, forceRedeem: Bool = false, keep: Bool = true, logger: Logger
    ) async throws(PartnerTokenError) -> Secret<String> {
        let key = CacheKey(partnerID: partner.id, tenant: tenant, scope: scope)
        if !forceRedeem, let cached = cache[key], cached.expiresAt.timeIntervalSinceNow > refreshMargin {
            return cached.token
        }
        do {
            return try await lock.withLock(key) {
                try await self.redeem(partner: partner, key: key, forceRedeem: forceRedeem, keep: keep, logger: logger)
            }
        } catch let error as PartnerTokenError {
            throw error
        } catch {
            throw PartnerTokenError(reason: .transient, code: "internal", message: String(describing: type(of: error)))
        }
    }

    /// Drops cached tokens of a partner (after a re-consent or when a call says the token is bad).
    public func forget(partnerID: UUID) {
        cache = cache.filter { $0.key.partnerID != partnerID }
    }

    private func redeem(partner: Partner, key: CacheKey, forceRedeem: Bool, keep: Bool, logger: Logger) async throws -> Secret<String> {
        // Another caller may have redeemed while this one waited for the lock.
        if !forceRedeem, let cached = cache[key], cached.expiresAt.timeIntervalSinceNow > refreshMargin {
            return cached.token
        }
        var logger = logger
        logger[metadataKey: "cpv.partner"] = "\(partner.id.guidText)"
        let loaded: (token: Secret<String>, version: Int64)?
        do {
            loaded = try await store.load(partnerID: partner.id, logger: logger)
        } catch let error as PartnerTokenError {
            throw try await storeFailure(error, partner: partner, logger: logger)
        }
        guard let stored = loaded else {
            throw PartnerTokenError(
                reason: .partnerMustReconsent, code: "no_refresh_token", message: "the partner has not completed the consent sign-in")
        }
        let refreshToken = stored.token
        let response: TokenResponse
        do {
            response = try await entra.token(
                profile: profile(for: partner), tenant: key.tenant, grant: .refreshToken(refreshToken), scope: key.scope, logger: logger)
        } catch {
            let failure = PartnerTokenError(reason: error.reason, code: Self.code(of: error), message: error.description)
            metrics.tokenRedemptions(outcome: failure.reason.rawValue).increment()
            // A dead refresh token is the partner's problem wherever it was redeemed; a missing
            // consent in a customer tenant is only that customer's.
            if failure.reason.requiresPartnerReconsent || (failure.reason == .transient && key.tenant == partner.tenantID.description) {
                try await repository.recordTokenFailure(
                    partnerID: partner.id, reason: failure.reason, code: failure.code, message: failure.message,
                    actor: "system:token-provider", logger: logger)
            }
            if failure.reason.requiresPartnerReconsent { forget(partnerID: partner.id) }
            logger.warning("refresh token redemption failed", metadata: ["cpv.error": "\(failure)"])
            throw failure
        }
        metrics.tokenRedemptions(outcome: "succeeded").increment()
        if let rotated = response.refreshToken {
            let written: Bool
            do {
                written = try await store.storeRotated(partnerID: partner.id, expectedVersion: stored.version, token: rotated, logger: logger)
            } catch let error as PartnerTokenError {
                throw try await storeFailure(error, partner: partner, logger: logger)
            }
            if !written {
                logger.debug("another process rotated the refresh token first; keeping its newer token")
            }
        }
        if keep {
            cache[key] = CachedToken(token: response.accessToken, expiresAt: Date().addingTimeInterval(TimeInterval(response.expiresIn)))
        }
        return response.accessToken
    }

    /// A store that cannot read or write the token (Key Vault down, a missing sealing key) is the
    /// operator's problem, never the partner's: it is recorded on the partner, which stays `active`.
    private func storeFailure(_ error: PartnerTokenError, partner: Partner, logger: Logger) async throws -> PartnerTokenError {
        try await repository.recordTokenFailure(
            partnerID: partner.id, reason: error.reason, code: error.code, message: error.message, actor: "system:token-provider",
            logger: logger)
        logger.warning("refresh token store failed", metadata: ["cpv.reason": "\(error.reason.rawValue)", "cpv.code": "\(error.code)"])
        return error
    }

    static func code(of error: EntraClientError) -> String {
        switch error {
        case .rejected(let entraError): return entraError.code
        case .unavailable: return "entra_unavailable"
        case .malformedResponse: return "entra_malformed_response"
        case .credential: return "client_credential"
        }
    }
}
