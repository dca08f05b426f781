import ConsentDomain
import ConsentStore
import Foundation
import Logging
import MicrosoftCloud

/// Refresh tokens as Azure Key Vault secrets, one per partner (`cpv-partner-<partner id>`), for
/// operators who want them in an HSM-backed vault with its own access log (`CPV_TOKEN_STORE=keyvault`).
///
/// PostgreSQL keeps the rest: `token_version` (still the compare-and-set guard), `key_id =
/// 'keyvault'` and a NULL `refresh_token_sealed`. A partner consented before the switch still has
/// a sealed token; it is read from there once and moves to the vault on its first rotation.
public struct KeyVaultRefreshTokenStore: RefreshTokenStore {
    let repository: PartnerRepository
    let vault: KeyVaultClient
    /// Reads tokens sealed before the switch to Key Vault.
    let sealed: DatabaseRefreshTokenStore

    public init(repository: PartnerRepository, vault: KeyVaultClient, sealer: TokenSealer) {
        self.repository = repository
        self.vault = vault
        self.sealed = DatabaseRefreshTokenStore(repository: repository, sealer: sealer)
    }

    /// Key Vault names allow letters, digits and dashes: a lower-case UUID fits.
    public static func secretName(partnerID: UUID) -> String {
        "cpv-partner-" + partnerID.guidText
    }

    public func load(partnerID: UUID, logger: Logger) async throws -> (token: Secret<String>, version: Int64)? {
        switch try await repository.tokenLocation(partnerID: partnerID, logger: logger) {
        case .none:
            return nil
        case .sealed(let token, let version):
            return (try sealed.open(token, partnerID: partnerID), version)
        case .keyVault(let version):
            // The version is read before the secret: if another process rotates in between, this
            // caller holds a newer token under an older version, its compare-and-set loses, and the
            // other process's token stays current. Both tokens are valid either way.
            let secret: KeyVaultSecret?
            do {
                secret = try await vault.getSecret(name: Self.secretName(partnerID: partnerID), logger: logger)
            } catch {
                throw Self.storeError(error)
            }
            return secret.map { ($0.value, version) }
        }
    }

    public func storeConsent(
        partnerID: UUID, invitationID: Int64, token: Secret<String>, consentedBy: String, actor: String, details: [String: String],
        logger: Logger
    ) async throws {
        // A consent that could not be recorded never reaches the vault (whose latest version is
        // what the partner's token is): checked first, and again under locks after the write.
        if let refusal = try await repository.consentCompletionRefusal(partnerID: partnerID, invitationID: invitationID, logger: logger) {
            throw refusal
        }
        // The vault next: if the database update then fails, the partner stays as it was and the
        // orphan secret is overwritten by the next consent.
        let version = try await write(token, partnerID: partnerID, logger: logger)
        try await repository.completeConsentWithTokenInKeyVault(
            partnerID: partnerID, invitationID: invitationID, consentedBy: consentedBy, actor: actor,
            details: details.merging(["keyId": PartnerRepository.keyVaultKeyID, "secretVersion": version]) { _, new in new },
            logger: logger)
    }

    public func storeRotated(partnerID: UUID, expectedVersion: Int64, token: Secret<String>, logger: Logger) async throws -> Bool {
        // The compare-and-set in PostgreSQL comes first and stays the guard between processes: the
        // vault has no conditional write. If the PUT below is interrupted (vault down, process
        // killed), the vault still holds the token this one was redeemed from; Entra does not
        // revoke a refresh token when it issues its successor, so that older token stays valid and
        // the next redemption simply rotates again from it. Nothing is lost but one rotation.
        guard try await repository.claimKeyVaultRotation(partnerID: partnerID, expectedVersion: expectedVersion, logger: logger) else {
            return false
        }
        try await write(token, partnerID: partnerID, logger: logger)
        // Only now that the vault holds a token may a sealed copy from before the switch go.
        try await repository.markTokenMovedToKeyVault(partnerID: partnerID, logger: logger)
        return true
    }

    /// Writes the token as a new version of the partner's secret and returns that version.
    @discardableResult
    private func write(_ token: Secret<String>, partnerID: UUID, logger: Logger) async throws(PartnerTokenError) -> String {
        do {
            return try await vault.setSecret(name: Self.secretName(partnerID: partnerID), value: token, logger: logger)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// A vault failure as the store's error: transient, or an operator's job.
    static func storeError(_ error: KeyVaultError) -> PartnerTokenError {
        let code: String
        switch error {
        case .unavailable: code = "keyvault_unavailable"
        case .noVaultToken(let transient, _): code = transient ? "keyvault_unavailable" : "keyvault_no_token"
        case .forbidden: code = "keyvault_forbidden"
        case .unexpected: code = "keyvault_error"
        }
        return PartnerTokenError(reason: error.isTransient ? .transient : .appMisconfigured, code: code, message: error.description)
    }
}
