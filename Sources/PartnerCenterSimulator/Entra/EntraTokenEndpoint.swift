import Foundation
import Hummingbird

/// `POST /{tenant}/oauth2/token` (v1) and `/{tenant}/oauth2/v2.0/token` (v2), reference §1.1–§1.6.
struct EntraTokenEndpoint: Sendable {
    let state: SimulatorState

    func handle(_ request: Request, tenantSegment: String, version: EntraVersion) async -> Response {
        var request = request
        let correlation = request.headers[HTTPHeaderName("client-request-id")!]
        let now = state.clock.now()
        do {
            let body = (try? await request.bodyString()) ?? ""
            let form = FormBody(encoded: body)
            return try await token(form: form, request: request, tenantSegment: tenantSegment, version: version, now: now)
        } catch {
            return error.response(now: now, correlationId: correlation)
        }
    }

    private func token(form: FormBody, request: Request, tenantSegment: String, version: EntraVersion, now: Date) async throws(AADSTSError) -> Response {
        guard let tenant = state.index.resolveTenant(tenantSegment) else { throw .tenantNotFound(tenantSegment) }
        let basic = BasicCredentials(request.headers[.authorization])
        guard let clientId = (form["client_id"] ?? basic?.user)?.lowercased() else {
            throw .invalidRequest(900144, "The request body must contain the following parameter: 'client_id'.")
        }
        guard let app = state.index.applications[clientId] else { throw .applicationNotFound(clientId, tenant: tenantSegment) }
        if version == .v2 && form["resource"] != nil { throw .resourceOnV2 }
        try await authenticateClient(app: app, form: form, basic: basic, tenantSegment: tenantSegment, host: request.head.authority, now: now)

        let grants = EntraGrants(state: state, app: app, tenant: tenant, tenantSegment: tenantSegment, version: version, now: now)
        switch form["grant_type"] {
        case "authorization_code": return try await grants.authorizationCode(form)
        case "refresh_token": return try await grants.refreshToken(form)
        case "client_credentials": return try await grants.clientCredentials(form)
        case let other:
            throw AADSTSError(70003, "unsupported_grant_type", "The app requested an unsupported grant type '\(other ?? "")'.")
        }
    }

    /// Client secret (form or HTTP Basic) or certificate assertion; the CPV app is a confidential client.
    private func authenticateClient(app: SimulatedApplication, form: FormBody, basic: BasicCredentials?, tenantSegment: String, host: String?, now: Date) async throws(AADSTSError) {
        if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
                throw .invalidRequest(50027, "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
            }
            let validator = state.assertionValidators[app.appId.lowercased()] ?? ClientAssertionValidator(pems: [])
            let validated = try validator.validate(assertion, clientId: app.appId.lowercased(), audiences: tokenAudiences(tenantSegment, host: host), now: now)
            guard await state.useJTI(validated.jti, expiresAt: validated.expiresAt, now: now) else {
                throw AADSTSError(700027, "invalid_client", "Client assertion contains a jti that has already been used (replay).", status: .unauthorized)
            }
            return
        }
        guard let secret = form["client_secret"] ?? basic?.password else { throw .missingClientCredential }
        guard let match = app.clientSecrets.first(where: { $0.value == secret }) else { throw .invalidSecret }
        if let expiresAt = match.expiresAt, expiresAt < now { throw .expiredSecret }
    }

    /// Canonical and simulator-hosted URLs of both token endpoints for the tenant named in the path.
    private func tokenAudiences(_ segment: String, host: String?) -> Set<String> {
        var tenants = [segment.lowercased()]
        if let resolved = state.index.tenantIdsByDomain[segment.lowercased()] { tenants.append(resolved) }
        var bases = ["https://login.microsoftonline.com"]
        if let host { bases += ["http://\(host)".lowercased(), "https://\(host)".lowercased()] }
        var result = Set<String>()
        for base in bases {
            for t in tenants {
                result.insert("\(base)/\(t)/oauth2/v2.0/token")
                result.insert("\(base)/\(t)/oauth2/token")
            }
        }
        return result
    }
}

/// Client id and secret from `Authorization: Basic` (RFC 6749 §2.3.1: each part form-urlencoded).
struct BasicCredentials: Sendable {
    var user: String
    var password: String

    init?(_ header: String?) {
        guard let header, header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":")
        else { return nil }
        user = FormBody.decodeComponent(decoded[..<colon])
        password = FormBody.decodeComponent(decoded[decoded.index(after: colon)...])
    }
}
