import Foundation

/// Builds the simulator's access and id tokens.
extension SimulatorState {
    struct Principal: Sendable {
        var user: SimulatedUser
        /// The directory the user signs in to (a guest's host directory, not their own tenant).
        var homeTenantId: String
        var directoryRoles: [String] = []

        /// The issuer of the tenant the user really comes from, when that is not `tenantId`.
        func identityProvider(forTenant tenantId: String) -> String? {
            if user.isGuest { return "https://sts.windows.net/\(user.homeTenantId ?? "00000000-0000-0000-0000-000000000000")/" }
            return homeTenantId != tenantId ? "https://sts.windows.net/\(homeTenantId)/" : nil
        }
    }

    nonisolated func mintAccessToken(
        resource: WellKnownResource, tenantId: String, clientId: String, principal: Principal?,
        scopes: [String], version: EntraVersion, now: Date
    ) -> String {
        let t = Int(now.timeIntervalSince1970)
        var claims = AccessTokenClaims(
            aud: resource.audience, iss: "https://sts.windows.net/\(tenantId)/", iat: t, nbf: t,
            exp: t + options.accessTokenLifetimeSeconds, tid: tenantId, ver: version == .v1 ? "1.0" : "2.0"
        )
        claims.appid = clientId
        claims.azp = clientId
        claims.uti = GUIDFormat.random()
        if let principal {
            claims.oid = principal.user.objectId
            claims.sub = StableID.guid("sub", principal.user.objectId, clientId)
            claims.upn = principal.user.userPrincipalName
            claims.name = principal.user.displayName
            claims.scp = scopes.joined(separator: " ")
            claims.amr = principal.user.didMFA ? ["pwd", "mfa"] : ["pwd"]
            claims.idp = principal.identityProvider(forTenant: tenantId)
        } else {
            let sp = ConsentRecord.resourceServicePrincipalId(customerId: tenantId, resourceAppId: clientId)
            claims.oid = sp
            claims.sub = sp
            claims.roles = []
            claims.idtyp = "app"
        }
        return signer.sign(claims)
    }

    /// An id_token, HS256-signed with the simulator key (see docs/simulator.md: clients cannot verify it).
    nonisolated func mintIDToken(tenantId: String, clientId: String, principal: Principal, nonce: String?, emitWids: Bool = false, now: Date) -> String {
        let t = Int(now.timeIntervalSince1970)
        var claims = AccessTokenClaims(
            aud: clientId, iss: "https://login.microsoftonline.com/\(tenantId)/v2.0", iat: t, nbf: t,
            exp: t + 3600, tid: tenantId, ver: "2.0"
        )
        claims.oid = principal.user.objectId
        claims.sub = StableID.guid("sub", principal.user.objectId, clientId)
        claims.upn = principal.user.userPrincipalName
        claims.preferred_username = principal.user.userPrincipalName
        claims.name = principal.user.displayName
        claims.amr = principal.user.didMFA ? ["pwd", "mfa"] : ["pwd"]
        claims.nonce = nonce
        claims.idp = principal.identityProvider(forTenant: tenantId)
        if emitWids { claims.wids = principal.directoryRoles }
        return signer.sign(claims)
    }
}

extension AccessTokenClaims {
    init(aud: String, iss: String, iat: Int, nbf: Int, exp: Int, tid: String, ver: String) {
        self.aud = aud
        self.iss = iss
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
        self.tid = tid
        self.ver = ver
    }
}
