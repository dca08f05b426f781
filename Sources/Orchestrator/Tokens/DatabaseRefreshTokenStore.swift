import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// Refresh tokens sealed (AES-256-GCM, partner id as associated data) in `partners.refresh_token_sealed`.
public struct DatabaseRefreshTokenStore: RefreshTokenStore {
    let repository: PartnerRepository
    let sealer: TokenSealer

    public init(repository: PartnerRepository, sealer: TokenSealer) {
        self.repository = repository
        self.sealer = sealer
    }

    public func load(partnerID: UUID, logger: Logger) async throws -> (token: Secret<String>, version: Int64)? {
        guard let stored = try await repository.sealedToken(partnerID: partnerID, logger: logger) else { return nil }
        return (try open(stored.sealed, partnerID: partnerID), stored.version)
    }

    public func storeConsent(
        partnerID: UUID, invitationID: Int64, token: Secret<String>, consentedBy: String, actor: String, details: [String: String],
        logger: Logger
    ) async throws {
        let sealed = try seal(token, partnerID: partnerID)
        try await repository.completeConsent(
            partnerID: partnerID, invitationID: invitationID, sealed: sealed, consentedBy: consentedBy, actor: actor,
            details: details.merging(["keyId": sealed.keyID]) { _, new in new }, logger: logger)
    }

    public func storeRotated(partnerID: UUID, expectedVersion: Int64, token: Secret<String>, logger: Logger) async throws -> Bool {
        let sealed = try seal(token, partnerID: partnerID)
        return try await repository.storeRotatedToken(partnerID: partnerID, expectedVersion: expectedVersion, sealed: sealed, logger: logger)
    }

    func open(_ sealed: TokenSealer.Sealed, partnerID: UUID) throws(PartnerTokenError) -> Secret<String> {
        do {
            return try sealer.open(sealed, partnerID: partnerID)
        } catch {
            throw PartnerTokenError(reason: .appMisconfigured, code: "sealing", message: error.description)
        }
    }

    func seal(_ token: Secret<String>, partnerID: UUID) throws(PartnerTokenError) -> TokenSealer.Sealed {
        do {
            return try sealer.seal(token, partnerID: partnerID)
        } catch {
            throw PartnerTokenError(reason: .appMisconfigured, code: "sealing", message: error.description)
        }
    }
}
