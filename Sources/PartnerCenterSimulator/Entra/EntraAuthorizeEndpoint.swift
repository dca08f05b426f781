import Foundation
import Hummingbird

/// `GET /{tenant}/oauth2/authorize` and `/oauth2/v2.0/authorize` (reference §1.2). There is no UI:
/// the user named by `login_hint` (else the tenant's first admin) signs in and consents at once.
struct EntraAuthorizeEndpoint: Sendable {
    let state: SimulatorState

    func handle(_ request: Request, tenantSegment: String, version: EntraVersion) async -> Response {
        // Browsers and curl encode spaces in the query as `+` (form encoding), so decode it as a form.
        let query = FormBody(encoded: request.uri.query ?? "")
        let q = { (name: String) -> String? in query[name] }
        let now = state.clock.now()
        // Problems with the client or redirect URI are shown to the user, never redirected (RFC 6749 §4.1.2.1).
        guard let tenant = state.index.resolveTenant(tenantSegment) else {
            return AADSTSError.tenantNotFound(tenantSegment).response(now: now, correlationId: nil)
        }
        guard let clientId = q("client_id")?.lowercased(), let app = state.index.applications[clientId] else {
            return AADSTSError.applicationNotFound(q("client_id") ?? "", tenant: tenantSegment).response(now: now, correlationId: nil)
        }
        guard let redirectURI = q("redirect_uri"), app.redirectURIs.contains(redirectURI) else {
            return AADSTSError(50011, "invalid_request", "The redirect URI '\(q("redirect_uri") ?? "")' specified in the request does not match the redirect URIs configured for the application '\(clientId)'.")
                .response(now: now, correlationId: nil)
        }
        // RFC 9207: the authorization server names itself in every authorization response, so a
        // client talking to several can tell which one answered (mix-up defence).
        let redirect = AuthorizeRedirect(
            redirectURI: redirectURI, state: q("state"), mode: q("response_mode") ?? "query",
            issuer: Self.issuer(tenant: tenant, segment: tenantSegment, version: version))

        let forced = state.updateFaults { faults -> AuthorizeErrorFault? in
            defer { faults.authorizeError = nil }
            return faults.authorizeError
        }
        if let forced { return redirect.error(forced.error, forced.errorDescription) }

        let responseType = Set((q("response_type") ?? "").split(separator: " ").map(String.init))
        guard responseType.contains("code") else {
            return redirect.error("unsupported_response_type", "AADSTS70005: response_type '\(q("response_type") ?? "")' is not enabled for the client; use 'code'.")
        }
        let challenge = q("code_challenge")
        let method = challenge == nil ? nil : (q("code_challenge_method") ?? "plain")
        if let method, method != "S256" && method != "plain" {
            return redirect.error("invalid_request", "AADSTS501491: Invalid code_challenge_method '\(method)'; use S256 or plain.")
        }
        guard let user = pickUser(tenant: tenant, loginHint: q("login_hint")) else {
            return redirect.error("invalid_request", "AADSTS50034: The user account does not exist in this directory.")
        }
        let scopes = (q("scope") ?? "").split(separator: " ").map(String.init)
        let grant = AuthorizationCodeGrant(
            clientId: clientId, redirectURI: redirectURI, codeChallenge: challenge, codeChallengeMethod: method,
            userObjectId: user.user.objectId.lowercased(), scopes: version == .v1 ? ["openid", "offline_access"] + scopes : scopes,
            resource: q("resource"), nonce: q("nonce"),
            expiresAt: now.addingTimeInterval(TimeInterval(state.options.authorizationCodeLifetimeSeconds))
        )
        let code = await state.storeCode(grant)
        var params = [("code", code)]
        if responseType.contains("id_token") {
            let principal = SimulatorState.Principal(user: user.user, homeTenantId: user.partnerTenantId, directoryRoles: user.directoryRoles)
            params.append(("id_token", state.mintIDToken(
                tenantId: user.partnerTenantId, clientId: clientId, principal: principal, nonce: q("nonce"), emitWids: app.emitsDirectoryRoles,
                now: now)))
        }
        return redirect.success(params)
    }

    /// The issuer identifier of the tenant's authority, as Entra's metadata names it.
    static func issuer(tenant: WorldIndex.TenantRef, segment: String, version: EntraVersion) -> String {
        let id: String
        switch tenant {
        case .partner(let tenantId), .customer(let tenantId), .applicationHome(let tenantId): id = tenantId
        case .common: id = segment.lowercased()
        }
        return version == .v1 ? "https://sts.windows.net/\(id)/" : "https://login.microsoftonline.com/\(id)/v2.0"
    }

    private func pickUser(tenant: WorldIndex.TenantRef, loginHint: String?) -> WorldIndex.UserEntry? {
        if let hint = loginHint?.lowercased() {
            guard let entry = state.index.usersByUPN[hint] else { return nil }
            if case .partner(let id) = tenant, entry.partnerTenantId != id { return nil }
            return entry
        }
        switch tenant {
        case .partner(let id):
            return state.index.partners[id]?.adminUsers.first.flatMap { state.index.usersByObjectId[$0.objectId.lowercased()] }
        case .common:
            return state.index.world.partners.first?.adminUsers.first.flatMap { state.index.usersByObjectId[$0.objectId.lowercased()] }
        case .customer, .applicationHome:
            return nil
        }
    }
}

/// Sends the browser back to the client in the requested `response_mode`.
struct AuthorizeRedirect: Sendable {
    var redirectURI: String
    var state: String?
    var mode: String
    /// RFC 9207 `iss`, added to success and error responses alike.
    var issuer: String?

    func error(_ error: String, _ description: String) -> Response {
        success([("error", error), ("error_description", description)])
    }

    func success(_ params: [(String, String)]) -> Response {
        var all = params
        if let state { all.append(("state", state)) }
        if let issuer { all.append(("iss", issuer)) }
        if mode == "form_post" {
            let inputs = all.map { "<input type=\"hidden\" name=\"\(html($0.0))\" value=\"\(html($0.1))\"/>" }.joined()
            let page = "<html><body onload=\"document.forms[0].submit()\"><form method=\"POST\" action=\"\(html(redirectURI))\">\(inputs)</form></body></html>"
            return HTTPResponses.text(page, status: .ok, contentType: "text/html; charset=utf-8")
        }
        let separator = mode == "fragment" ? "#" : (redirectURI.contains("?") ? "&" : "?")
        var headers = HTTPFields()
        headers[.location] = redirectURI + separator + FormBody.encode(all)
        return HTTPResponses.empty(.found, headers: headers)
    }

    private func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
