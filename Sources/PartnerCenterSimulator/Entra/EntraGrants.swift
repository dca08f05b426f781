import Crypto
import Foundation
import Hummingbird

/// The three grants the CPV flow uses, after the client has authenticated.
struct EntraGrants: Sendable {
    let state: SimulatorState
    let app: SimulatedApplication
    let tenant: WorldIndex.TenantRef
    let tenantSegment: String
    let version: EntraVersion
    let now: Date

    private var clientId: String { app.appId.lowercased() }
    private var firstOfMany: Bool { state.options.multiResourceScope == .firstResource }

    func authorizationCode(_ form: FormBody) async throws(AADSTSError) -> Response {
        guard let code = form["code"] else { throw .invalidRequest(900144, "The request body must contain the following parameter: 'code'.") }
        let grant = try await state.spendCode(code, now: now).get()
        guard grant.clientId == clientId else { throw .invalidGrant(70000, "The provided authorization code was issued to a different client.") }
        guard form["redirect_uri"] == grant.redirectURI else {
            throw .invalidGrant(70000, "The redirect_uri does not match the one used in the authorization request.")
        }
        if let challenge = grant.codeChallenge {
            guard let verifier = form["code_verifier"] else {
                throw .invalidGrant(501481, "The code_verifier is missing; the authorization request carried a code_challenge.")
            }
            let computed = grant.codeChallengeMethod == "S256" ? Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) : verifier
            guard computed == challenge else {
                throw .invalidGrant(501481, "The code_verifier does not match the code_challenge supplied in the authorization request.")
            }
        }
        guard let user = state.index.usersByObjectId[grant.userObjectId] else { throw .invalidGrant(70000, "The user no longer exists.") }
        let requested: RequestedScope
        switch version {
        case .v1:
            guard let resource = form["resource"] ?? grant.resource else {
                throw .invalidRequest(900144, "The request body must contain the following parameter: 'resource'.")
            }
            requested = try RequestedScope.parseV1(resource: resource, scope: form["scope"])
        case .v2:
            let scope = form["scope"] ?? grant.scopes.joined(separator: " ")
            guard var parsed = try RequestedScope.parseV2(scope, firstOfMany: firstOfMany) else { throw .invalidScope(scope) }
            // offline_access and openid are granted at authorize time.
            parsed.offlineAccess = parsed.offlineAccess || grant.scopes.contains("offline_access")
            parsed.openid = parsed.openid || grant.scopes.contains("openid")
            requested = parsed
        }
        let principal = SimulatorState.Principal(user: user.user, homeTenantId: user.partnerTenantId, directoryRoles: user.directoryRoles)
        return try await issueDelegated(principal: principal, requested: requested, nonce: grant.nonce)
    }

    func refreshToken(_ form: FormBody) async throws(AADSTSError) -> Response {
        guard let token = form["refresh_token"] else { throw .invalidRequest(900144, "The request body must contain the following parameter: 'refresh_token'.") }
        guard let grant = await state.refreshGrant(token) else {
            throw .invalidGrant(9002313, "Invalid request. Request is malformed or invalid: the refresh token is not recognised.")
        }
        if let code = state.faults.deadRefreshTokens[grant.partnerTenantId] { throw .refreshTokenDead(code: code) }
        guard grant.clientId == clientId else { throw .invalidGrant(70000, "The refresh token was issued to a different client.") }
        guard let user = state.index.usersByObjectId[grant.userObjectId] else { throw .invalidGrant(70000, "The user no longer exists.") }
        let requested: RequestedScope
        switch version {
        case .v1:
            guard let resource = form["resource"] else { throw .invalidRequest(900144, "The request body must contain the following parameter: 'resource'.") }
            requested = try RequestedScope.parseV1(resource: resource, scope: form["scope"])
        case .v2:
            // Without a scope Entra answers for the scopes of the original grant; the simulator uses Graph.
            var parsed = try RequestedScope.parseV2(form["scope"], firstOfMany: firstOfMany)
                ?? RequestedScope(resource: .graph, names: [".default"], openid: false, offlineAccess: true)
            parsed.offlineAccess = true
            requested = parsed
        }
        let principal = SimulatorState.Principal(user: user.user, homeTenantId: user.partnerTenantId, directoryRoles: user.directoryRoles)
        return try await issueDelegated(principal: principal, requested: requested, nonce: nil)
    }

    func clientCredentials(_ form: FormBody) async throws(AADSTSError) -> Response {
        let requested: RequestedScope
        switch version {
        case .v1:
            guard let resource = form["resource"] else { throw .invalidRequest(900144, "The request body must contain the following parameter: 'resource'.") }
            requested = try RequestedScope.parseV1(resource: resource, scope: nil)
        case .v2:
            guard let parsed = try RequestedScope.parseV2(form["scope"], firstOfMany: false), parsed.names == [".default"] else {
                throw .invalidScope(form["scope"] ?? "")
            }
            requested = parsed
        }
        let tenantId: String
        switch tenant {
        case .common:
            throw .invalidRequest(9001023, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.")
        case .partner(let id), .applicationHome(let id):
            tenantId = id
        case .customer(let id):
            // App-only access in a customer needs the app's service principal there, i.e. a consent.
            guard await state.consentRecord(customerId: id, applicationId: clientId) != nil else {
                throw .applicationNotFound(clientId, tenant: id)
            }
            tenantId = id
        }
        let access = state.mintAccessToken(resource: requested.resource, tenantId: tenantId, clientId: clientId, principal: nil, scopes: [], version: version, now: now)
        return TokenResponse(version: version, accessToken: access, expiresIn: state.options.accessTokenLifetimeSeconds, now: now,
                             resource: requested.resource, scope: version == .v1 ? "" : ".default").response()
    }

    /// Tokens for a user: in the partner's own tenant, or in one of its customers when the CPV app holds
    /// a consent there that covers the resource (else AADSTS65001, reference §7).
    private func issueDelegated(principal: SimulatorState.Principal, requested: RequestedScope, nonce: String?) async throws(AADSTSError) -> Response {
        let tenantId: String
        var scopes: [String]
        switch tenant {
        case .common:
            tenantId = principal.homeTenantId
            scopes = defaultScopes(requested)
        case .partner(let id):
            guard id == principal.homeTenantId else { throw .userNotInTenant(principal.user.userPrincipalName, tenant: id) }
            tenantId = id
            scopes = defaultScopes(requested)
        case .customer(let id):
            guard state.index.customers[id]?.partnerTenantId == principal.homeTenantId else {
                throw .userNotInTenant(principal.user.userPrincipalName, tenant: id)
            }
            guard let record = await state.consentRecord(customerId: id, applicationId: clientId),
                  let consented = record.scopes(forResourceAppId: requested.resource.applicationId)
            else { throw .consentMissing }
            if !requested.isDefault, requested.names.contains(where: { !consented.contains($0) }) { throw .consentMissing }
            tenantId = id
            scopes = requested.isDefault ? consented : requested.names
        case .applicationHome(let id):
            throw .userNotInTenant(principal.user.userPrincipalName, tenant: id)
        }
        if scopes.isEmpty { scopes = ["user_impersonation"] }
        let access = state.mintAccessToken(resource: requested.resource, tenantId: tenantId, clientId: clientId, principal: principal,
                                           scopes: scopes, version: version, now: now)
        var refresh: String?
        if version == .v1 || requested.offlineAccess {
            // Every redemption returns a new refresh token; earlier ones stay valid (reference §1.7).
            refresh = await state.storeRefreshToken(RefreshTokenGrant(
                clientId: clientId, userObjectId: principal.user.objectId.lowercased(),
                partnerTenantId: principal.homeTenantId, didMFA: principal.user.didMFA, issuedAt: now
            ))
        }
        let idToken = requested.openid
            ? state.mintIDToken(
                tenantId: tenantId, clientId: clientId, principal: principal, nonce: nonce, emitWids: app.emitsDirectoryRoles, now: now)
            : nil
        return TokenResponse(version: version, accessToken: access, expiresIn: state.options.accessTokenLifetimeSeconds, now: now,
                             resource: requested.resource, scope: scopes.joined(separator: " "), refreshToken: refresh, idToken: idToken).response()
    }

    /// In the partner's own tenant the app's registration is the consent: `.default` means the
    /// Graph permissions the registration holds (`graphDelegatedScopes`, `User.Read` by default),
    /// or the resource's usual delegated permission.
    private func defaultScopes(_ requested: RequestedScope) -> [String] {
        guard requested.isDefault else { return requested.names }
        switch requested.resource {
        case .graph: return app.graphDelegatedScopes ?? ["User.Read"]
        default: return ["user_impersonation"]
        }
    }
}
