import ConsentDomain
import Foundation
import Logging

/// Where partners' refresh tokens are kept: sealed in PostgreSQL (`DatabaseRefreshTokenStore`) or
/// as Azure Key Vault secrets (`KeyVaultRefreshTokenStore`), chosen by `CPV_TOKEN_STORE`.
///
/// Either way `partners.token_version` is the compare-and-set guard: a rotated token is stored
/// only over the version it was redeemed from, so a slower process never replaces a newer token.
public protocol RefreshTokenStore: Sendable {
    /// The partner's current refresh token and the version it was written at; nil before consent.
    func load(partnerID: UUID, logger: Logger) async throws -> (token: Secret<String>, version: Int64)?

    /// Stores the token of a consent completed through `invitationID`, makes the partner `active`,
    /// uses the invitation up and appends `partner.consented` with `details` (plus where the token
    /// went, never the token). Throws `ConsentCompletionError` when the partner was disabled, the
    /// invitation closed or the partner's status no longer fits it meanwhile: nothing is stored.
    func storeConsent(
        partnerID: UUID, invitationID: Int64, token: Secret<String>, consentedBy: String, actor: String, details: [String: String],
        logger: Logger
    ) async throws

    /// Stores a rotated token over `expectedVersion`. Returns false when another writer rotated
    /// first; that writer's token is then the current one.
    func storeRotated(partnerID: UUID, expectedVersion: Int64, token: Secret<String>, logger: Logger) async throws -> Bool
}
