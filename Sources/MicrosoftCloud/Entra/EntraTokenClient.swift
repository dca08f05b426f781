import AsyncHTTPClient
import ConsentDomain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Asks Entra ID for tokens on behalf of the CPV application (partner-center-api.md §1).
///
/// Every request has a deadline. Secrets travel only in the request body or the Authorization
/// header, never in a URL, a log line or an error.
public struct EntraTokenClient: Sendable {
    /// What is being exchanged for a token.
    public enum Grant: Sendable {
        /// The code from the consent redirect, with the PKCE verifier and the exact redirect URI.
        case authorizationCode(code: String, redirectURI: String, codeVerifier: String)
        /// A stored refresh token (its successor comes back in the response).
        case refreshToken(Secret<String>)
        /// App-only: the application as itself.
        case clientCredentials
    }

    let http: HTTPClient
    let clientID: String
    let credential: ClientCredential
    let timeout: Duration

    public init(http: HTTPClient, clientID: String, credential: ClientCredential, timeout: Duration = .seconds(20)) {
        self.http = http
        self.clientID = clientID
        self.credential = credential
        self.timeout = timeout
    }

    /// Requests a token at `{login}/{tenant}/oauth2[/v2.0]/token`.
    ///
    /// - Parameter scope: on v2, space-separated scopes of one resource (e.g. `https://api.partnercenter.microsoft.com/.default offline_access`);
    ///   on v1 it is sent as `resource=`.
    public func token(
        profile: CloudProfile, tenant: String, version: EntraEndpointVersion = .v2, grant: Grant, scope: String,
        logger: Logger
    ) async throws(EntraClientError) -> TokenResponse {
        let url = profile.tokenURL(tenant: tenant, version: version)
        var form: [(String, String)] = [("client_id", clientID)]
        switch grant {
        case .authorizationCode(let code, let redirectURI, let codeVerifier):
            form += [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", codeVerifier)]
        case .refreshToken(let refreshToken):
            form += [("grant_type", "refresh_token"), ("refresh_token", refreshToken.revealed)]
        case .clientCredentials:
            form += [("grant_type", "client_credentials")]
        }
        form.append(version == .v2 ? ("scope", scope) : ("resource", scope))

        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "client-request-id", value: UUID().uuidString.lowercased())
        switch credential {
        case .secret(let secret, .formBody):
            form.append(("client_secret", secret.revealed))
        case .secret(let secret, .basicAuthorization):
            let pair = Self.formEncode(clientID) + ":" + Self.formEncode(secret.revealed)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        case .certificate(let certificate):
            let assertion: String
            do {
                assertion = try certificate.assertion(clientID: clientID, audience: url)
            } catch {
                throw .credential(error)
            }
            form += [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion)]
        }
        request.body = .bytes(ByteBuffer(string: form.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")))

        let started = ContinuousClock.now
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000)))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            logger.warning("token request failed in transport", metadata: ["cpv.error": "\(Self.transportReason(error))"])
            throw .unavailable(Self.transportReason(error))
        }
        let data = Data(body.readableBytesView)
        logger.debug(
            "token request answered",
            metadata: ["cpv.http.status": "\(status)", "cpv.duration": "\(ContinuousClock.now - started)", "cpv.tenant": "\(tenant)"])
        if (200..<300).contains(status) {
            guard let token = TokenResponse.decode(data) else { throw .malformedResponse(status: status) }
            return token
        }
        if let error = EntraError.decode(data, status: status) {
            throw .rejected(error)
        }
        if status >= 500 || status == 429 {
            throw .unavailable("HTTP \(status)")
        }
        throw .malformedResponse(status: status)
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters is escaped, secrets included.
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func transportReason(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "connection closed"
            default: return String(describing: clientError)
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "timed out" }
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "connection refused" }
        return String(describing: type(of: error))
    }
}
