import ConsentDomain
import ConsentStore
import Crypto
import Foundation
import Logging
import MicrosoftCloud

/// A partner's consent: from a staff-issued invitation, the authorization-code flow with PKCE
/// against the partner's tenant, ending with its refresh token in the `RefreshTokenStore`
/// (secure-application-model.md) once the person who signed in is shown to be an MFA-authenticated
/// administrator and member of that tenant (`ConsentingUser`).
public struct PartnerOnboarding: Sendable {
    let repository: PartnerRepository
    let invitations: ConsentInvitationRepository
    let store: any RefreshTokenStore
    let entra: EntraTokenClient
    let graph: GraphClient
    let overrides: CloudProfile.Overrides
    let clientID: String
    /// `{CPV_PUBLIC_URL}/consent/callback`: must be registered on the Entra application exactly.
    public let redirectURI: String
    let publicURL: String
    /// An authorization code lives about ten minutes; the sign-in that produces it gets as long.
    let stateLifetime: TimeInterval

    public init(
        repository: PartnerRepository, store: any RefreshTokenStore, entra: EntraTokenClient, graph: GraphClient,
        overrides: CloudProfile.Overrides, clientID: String, publicURL: String, stateLifetime: TimeInterval = 600
    ) {
        self.repository = repository
        invitations = ConsentInvitationRepository(partners: repository)
        self.store = store
        self.entra = entra
        self.graph = graph
        self.overrides = overrides
        self.clientID = clientID
        self.publicURL = publicURL
        self.redirectURI = publicURL + "/consent/callback"
        self.stateLifetime = stateLifetime
    }

    /// The link of an invitation, holding its one-time secret: shown once, never stored.
    public func invitationURL(secret: Secret<String>) -> Secret<String> {
        Secret("\(publicURL)/consent/start?invitation=\(secret.revealed)")
    }

    /// The scopes of the sign-in: Partner Center's, a refresh token, the id token, and Graph's
    /// `User.Read` so the callback can read who signed in.
    func scopes(_ profile: CloudProfile) -> String {
        "\(profile.partnerCenterResource)/user_impersonation \(profile.graphResource)/User.Read offline_access openid profile"
    }

    /// Starts a sign-in from an open invitation: stores a fresh `state` (hashed) and PKCE
    /// verifier bound to it, returns where to send the browser.
    public func start(invitationSecret: String?, logger: Logger) async throws -> String {
        guard let invitationSecret, let (invitation, partner) = try await invitations.openInvitation(secret: invitationSecret, logger: logger)
        else {
            throw OnboardingError.invalidInvitation
        }
        let profile = CloudProfile.resolve(partner.cloud, overrides: overrides)
        let state = RandomToken.make()
        let pkce = PKCE()
        try await invitations.startConsent(
            invitation: invitation, stateHash: Self.hash(state), codeVerifier: pkce.verifier,
            expiresAt: Date().addingTimeInterval(stateLifetime), logger: logger)
        var components = URLComponents(string: profile.authorizeURL(tenant: partner.tenantID.description, version: .v2))
        components?.queryItems = [
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "response_mode", value: "query"),
            URLQueryItem(name: "scope", value: scopes(profile)),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "prompt", value: "consent"),
            URLQueryItem(name: "code_challenge", value: pkce.challenge),
            URLQueryItem(name: "code_challenge_method", value: pkce.method),
        ]
        // URLComponents leaves "+" alone in queries; Entra would read it as a space.
        let encodedQuery = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encodedQuery
        guard let url = components?.string else { throw OnboardingError.invalidInvitation }
        return url
    }

    /// What came back to `/consent/callback`.
    public struct Callback: Sendable {
        public var code: String?
        public var state: String?
        public var error: String?
        public var errorDescription: String?
        /// RFC 9207's `iss`, when the authorization server sends it.
        public var issuer: String?

        public init(code: String?, state: String?, error: String?, errorDescription: String?, issuer: String? = nil) {
            self.code = code
            self.state = state
            self.error = error
            self.errorDescription = errorDescription
            self.issuer = issuer
        }
    }

    /// Completes a sign-in. Nothing is stored unless the signed-in user may consent for the
    /// partner; refusals are audited while the partner awaits this consent, otherwise only logged.
    public func complete(_ callback: Callback, logger: Logger) async throws -> Partner {
        guard let state = callback.state, !state.isEmpty, state.count < 200,
            let (invitation, verifier) = try await invitations.takeConsent(stateHash: Self.hash(state), logger: logger),
            let partner = try await repository.partner(id: invitation.partnerID, logger: logger)
        else {
            throw OnboardingError.invalidState
        }
        var attempt = ConsentAttempt(partner: partner, invitation: invitation, onboarding: self)
        let profile = CloudProfile.resolve(partner.cloud, overrides: overrides)
        if let issuer = callback.issuer, issuer.lowercased() != profile.issuer(tenant: partner.tenantID.description) {
            try await attempt.refuse(.issuerMismatch, logger: logger)
        }
        if let error = callback.error {
            try await attempt.refuse(.signInDenied(error: Self.errorCode(error), description: Self.cut(callback.errorDescription ?? "")), logger: logger)
        }
        guard let code = callback.code, !code.isEmpty else {
            try await attempt.refuse(.signInDenied(error: "invalid_request", description: "no code"), logger: logger)
        }
        let response: TokenResponse
        do {
            response = try await entra.token(
                profile: profile, tenant: partner.tenantID.description,
                grant: .authorizationCode(code: code, redirectURI: redirectURI, codeVerifier: verifier),
                scope: "\(profile.partnerCenterResource)/user_impersonation offline_access openid profile", logger: logger)
        } catch {
            try await attempt.refuse(.codeRedemptionFailed(reason: error.reason, code: PartnerTokenProvider.code(of: error)), logger: logger)
        }
        let claims = response.idTokenClaims
        attempt.user = claims?.userPrincipalName ?? claims?.objectID
        var user = ConsentingUser(
            tenantID: claims?.tenantID, authenticationMethods: claims?.authenticationMethods ?? [],
            directoryRoles: claims?.directoryRoles, identityProvider: claims?.identityProvider)
        if let refusal = user.tokenRefusal(partnerTenant: partner.tenantID) {
            try await attempt.refuse(Self.error(refusal, partner: partner, signedIn: claims?.tenantID), logger: logger)
        }
        guard var refreshToken = response.refreshToken else { try await attempt.refuse(.noRefreshToken, logger: logger) }
        do {
            refreshToken = try await readDirectory(into: &user, refreshToken: refreshToken, partner: partner, profile: profile, logger: logger)
        } catch let failure as OnboardingError {
            try await attempt.refuse(failure, logger: logger)
        }
        if let refusal = user.refusal(partnerTenant: partner.tenantID) {
            try await attempt.refuse(Self.error(refusal, partner: partner, signedIn: claims?.tenantID), logger: logger)
        }
        let consentedBy = attempt.user ?? "unknown"
        do {
            try await store.storeConsent(
                partnerID: partner.id, invitationID: invitation.id, token: refreshToken, consentedBy: consentedBy,
                actor: "partner-admin:\(consentedBy)",
                details: [
                    "tenantId": partner.tenantID.description, "previousStatus": partner.status.rawValue,
                    "invitationId": String(invitation.id), "purpose": invitation.purpose.rawValue,
                    "adminBy": user.tokenShowsGlobalAdministrator ? "wids" : "graph",
                ], logger: logger)
        } catch let error as PartnerTokenError {
            try await attempt.refuse(.tokenStoreFailed(reason: error.reason, code: error.code), logger: logger)
        } catch let error as ConsentCompletionError {
            try await attempt.refuse(.consentNoLongerAllowed(error), logger: logger)
        }
        logger.notice("partner consented", metadata: ["cpv.partner": "\(partner.id.guidText)", "cpv.invitation": "\(invitation.id)"])
        return try await repository.partner(id: partner.id, logger: logger) ?? partner
    }

    /// Reads through Graph, with a token for it redeemed from the consent's refresh token, who the
    /// user is in the partner's directory (`userType`) and, unless `wids` already shows a Global
    /// Administrator, their roles and groups. Returns the newest refresh token (every redemption
    /// rotates it).
    func readDirectory(
        into user: inout ConsentingUser, refreshToken: Secret<String>, partner: Partner, profile: CloudProfile, logger: Logger
    ) async throws -> Secret<String> {
        let graphToken: TokenResponse
        do {
            graphToken = try await entra.token(
                profile: profile, tenant: partner.tenantID.description, grant: .refreshToken(refreshToken), scope: profile.graphScope,
                logger: logger)
        } catch {
            throw OnboardingError.roleCheckFailed(code: PartnerTokenProvider.code(of: error))
        }
        do {
            user.userType = try await graph.signedInUser(profile: profile, accessToken: graphToken.accessToken, logger: logger).userType
            if !user.tokenShowsGlobalAdministrator {
                user.memberships = try await graph.memberships(profile: profile, accessToken: graphToken.accessToken, logger: logger).map {
                    ConsentingUser.Membership(
                        kind: $0.type == "#microsoft.graph.directoryRole" ? .directoryRole : $0.type == "#microsoft.graph.group" ? .group : .other,
                        displayName: $0.displayName, roleTemplateID: $0.roleTemplateId, securityEnabled: $0.securityEnabled)
                }
            }
        } catch {
            throw OnboardingError.roleCheckFailed(code: error.code)
        }
        return graphToken.refreshToken ?? refreshToken
    }

    static func error(_ refusal: ConsentingUser.Refusal, partner: Partner, signedIn: String?) -> OnboardingError {
        switch refusal {
        case .tenantMismatch: return .tenantMismatch(expected: partner.tenantID, signedIn: signedIn ?? "unknown")
        case .mfaMissing: return .mfaMissing
        case .guest: return .guestUser
        case .notAnAdmin: return .notAnAdmin
        case .adminUnverifiable: return .adminUnverifiable
        }
    }

    /// `error` from the query as an OAuth error code: lower-case letters and `_`, at most 64;
    /// anything else is not one, whatever it says.
    static func errorCode(_ raw: String) -> String {
        let valid = !raw.isEmpty && raw.count <= 64 && raw.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }
        return valid ? raw : "invalid_error_parameter"
    }

    /// Free text from the query, cut to 200 characters, control characters dropped.
    static func cut(_ raw: String) -> String {
        String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(200)))
    }

    static func hash(_ state: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(state.utf8)))
    }
}
