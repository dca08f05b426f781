import ConsentDomain
import ConsentStore
import Crypto
import Foundation
import Logging
import MicrosoftCloud

/// A partner's one-time consent: the authorization-code flow with PKCE against the partner's
/// tenant, ending with its refresh token in the `RefreshTokenStore` (secure-application-model.md).
public struct PartnerOnboarding: Sendable {
    let repository: PartnerRepository
    let store: any RefreshTokenStore
    let entra: EntraTokenClient
    let overrides: CloudProfile.Overrides
    let clientID: String
    /// `{CPV_PUBLIC_URL}/consent/callback`: must be registered on the Entra application exactly.
    public let redirectURI: String
    let publicURL: String
    /// An authorization code lives about ten minutes; the sign-in that produces it gets as long.
    let stateLifetime: TimeInterval

    public init(
        repository: PartnerRepository, store: any RefreshTokenStore, entra: EntraTokenClient, overrides: CloudProfile.Overrides,
        clientID: String, publicURL: String, stateLifetime: TimeInterval = 600
    ) {
        self.repository = repository
        self.store = store
        self.entra = entra
        self.overrides = overrides
        self.clientID = clientID
        self.publicURL = publicURL
        self.redirectURI = publicURL + "/consent/callback"
        self.stateLifetime = stateLifetime
    }

    /// The link staff hand to a partner's admin.
    public func consentURL(partnerID: UUID) -> String {
        "\(publicURL)/consent/\(partnerID.uuidString.lowercased())/start"
    }

    /// Starts a sign-in: stores a fresh `state` (hashed) and PKCE verifier, returns where to send the browser.
    public func start(partnerID: UUID, logger: Logger) async throws -> String {
        guard let partner = try await repository.partner(id: partnerID, logger: logger) else { throw OnboardingError.unknownPartner }
        guard partner.status != .disabled else { throw OnboardingError.partnerDisabled }
        let profile = CloudProfile.resolve(partner.cloud, overrides: overrides)
        let state = RandomToken.make()
        let pkce = PKCE()
        try await repository.startConsent(
            partnerID: partner.id, stateHash: Self.hash(state), codeVerifier: pkce.verifier,
            expiresAt: Date().addingTimeInterval(stateLifetime), logger: logger)
        var components = URLComponents(string: profile.authorizeURL(tenant: partner.tenantID.description, version: .v2))
        components?.queryItems = [
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "response_mode", value: "query"),
            URLQueryItem(name: "scope", value: "\(profile.partnerCenterResource)/user_impersonation offline_access openid profile"),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "prompt", value: "consent"),
            URLQueryItem(name: "code_challenge", value: pkce.challenge),
            URLQueryItem(name: "code_challenge_method", value: pkce.method),
        ]
        // URLComponents leaves "+" alone in queries; Entra would read it as a space.
        let encodedQuery = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encodedQuery
        guard let url = components?.string else { throw OnboardingError.unknownPartner }
        return url
    }

    /// What came back to `/consent/callback`.
    public struct Callback: Sendable {
        public var code: String?
        public var state: String?
        public var error: String?
        public var errorDescription: String?

        public init(code: String?, state: String?, error: String?, errorDescription: String?) {
            self.code = code
            self.state = state
            self.error = error
            self.errorDescription = errorDescription
        }
    }

    /// Completes a sign-in. Every refusal after the state was accepted is audited; nothing is
    /// stored unless the signed-in user belongs to the partner's tenant and used MFA.
    public func complete(_ callback: Callback, logger: Logger) async throws -> Partner {
        guard let state = callback.state, !state.isEmpty,
            let request = try await repository.takeConsent(stateHash: Self.hash(state), logger: logger)
        else {
            throw OnboardingError.invalidState
        }
        guard let partner = try await repository.partner(id: request.partnerID, logger: logger) else {
            throw OnboardingError.unknownPartner
        }
        if let error = callback.error {
            let failure = OnboardingError.signInDenied(error: error, description: callback.errorDescription ?? "")
            try await refuse(partner, failure, logger: logger)
        }
        guard let code = callback.code, !code.isEmpty else {
            try await refuse(partner, .signInDenied(error: "invalid_request", description: "no code"), logger: logger)
        }
        let profile = CloudProfile.resolve(partner.cloud, overrides: overrides)
        let response: TokenResponse
        do {
            response = try await entra.token(
                profile: profile, tenant: partner.tenantID.description,
                grant: .authorizationCode(code: code, redirectURI: redirectURI, codeVerifier: request.codeVerifier),
                scope: "\(profile.partnerCenterResource)/user_impersonation offline_access openid profile", logger: logger)
        } catch {
            try await refuse(partner, .codeRedemptionFailed(reason: error.reason, code: PartnerTokenProvider.code(of: error)), logger: logger)
        }
        let claims = response.idTokenClaims
        guard let signedInTenant = claims?.tenantID, signedInTenant == partner.tenantID.description else {
            try await refuse(partner, .tenantMismatch(expected: partner.tenantID, signedIn: claims?.tenantID ?? "unknown"), logger: logger)
        }
        guard claims?.authenticationMethods.contains("mfa") == true else {
            try await refuse(partner, .mfaMissing, logger: logger)
        }
        guard let refreshToken = response.refreshToken else {
            try await refuse(partner, .noRefreshToken, logger: logger)
        }
        let user = claims?.userPrincipalName ?? claims?.objectID ?? "unknown"
        do {
            try await store.storeConsent(
                partnerID: partner.id, token: refreshToken, consentedBy: user, actor: "partner-admin:\(user)",
                details: ["tenantId": signedInTenant, "previousStatus": partner.status.rawValue], logger: logger)
        } catch let error as TokenStoreError {
            try await refuse(partner, .tokenStoreFailed(reason: error.reason, code: error.code), logger: logger)
        }
        logger.notice("partner consented", metadata: ["cpv.partner": "\(partner.id)"])
        return try await repository.partner(id: partner.id, logger: logger) ?? partner
    }

    private func refuse(_ partner: Partner, _ failure: OnboardingError, logger: Logger) async throws -> Never {
        var details = ["reason": failure.code, "message": failure.description]
        if case .tenantMismatch(_, let signedIn) = failure { details["signedInTenant"] = signedIn }
        try await AuditWriter.append(
            AuditRecord(
                actor: "partner-admin:unknown", action: "partner.consent.refused", partnerID: partner.id, errorCode: failure.code,
                details: PartnerRepository.json(details)),
            client: repository.client, logger: logger)
        logger.warning("partner consent refused", metadata: ["cpv.partner": "\(partner.id)", "cpv.reason": "\(failure.code)"])
        throw failure
    }

    static func hash(_ state: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(state.utf8)))
    }
}
