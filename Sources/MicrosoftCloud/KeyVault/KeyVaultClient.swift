import AsyncHTTPClient
import ConsentDomain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Secrets in one Azure Key Vault through its REST API (`api-version=7.4`), authenticated as the
/// CPV application itself (client_credentials in its home tenant).
///
/// Every request has a deadline. A secret's value travels only in a request or response body: it
/// is never in a URL, a log line or an error.
public struct KeyVaultClient: Sendable {
    public static let apiVersion = "7.4"

    let http: HTTPClient
    let entra: EntraTokenClient
    /// e.g. `https://myvault.vault.azure.net`, without a trailing slash.
    let vaultURL: String
    /// The application's home tenant: vault tokens are app-only, so they come from there.
    let tenant: String
    /// The login endpoint and vault audience of the vault's cloud.
    let profile: CloudProfile
    let scope: String
    let timeout: Duration
    let tokens: VaultTokenCache

    /// - Parameter refreshMargin: a vault token lives about an hour; renewing it five minutes ahead
    ///   keeps a slow request from reaching the vault with an expired one.
    public init(
        http: HTTPClient, entra: EntraTokenClient, vaultURL: String, tenantID: TenantID, overrides: CloudProfile.Overrides,
        timeout: Duration = .seconds(10), refreshMargin: TimeInterval = 300
    ) {
        self.http = http
        self.entra = entra
        self.vaultURL = vaultURL.hasSuffix("/") ? String(vaultURL.dropLast()) : vaultURL
        self.tenant = tenantID.description
        let cloud = Self.cloud(ofVault: self.vaultURL)
        self.profile = CloudProfile.resolve(cloud, overrides: overrides)
        self.scope = Self.audience(of: cloud) + "/.default"
        self.timeout = timeout
        self.tokens = VaultTokenCache(refreshMargin: refreshMargin)
    }

    /// Writes a new version of the secret and returns its version id.
    @discardableResult
    public func setSecret(name: String, value: Secret<String>, logger: Logger) async throws(KeyVaultError) -> String {
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: ["value": value.revealed, "contentType": "text/plain"])
        } catch {
            throw .unexpected(status: 0, code: "unencodable_value")
        }
        let answer = try await send(.PUT, name: name, body: body, logger: logger)
        guard answer.status == 200, let bundle = Self.bundle(answer.body) else {
            throw Self.failure(answer.status, answer.body)
        }
        logger.debug("key vault secret written", metadata: ["cpv.secret": "\(name)", "cpv.secret.version": "\(bundle.version)"])
        return bundle.version
    }

    /// The latest version of the secret, or nil when the vault has no secret of that name.
    public func getSecret(name: String, logger: Logger) async throws(KeyVaultError) -> KeyVaultSecret? {
        let answer = try await send(.GET, name: name, body: nil, logger: logger)
        if answer.status == 404 { return nil }
        guard answer.status == 200, let bundle = Self.bundle(answer.body), let value = bundle.value else {
            throw Self.failure(answer.status, answer.body)
        }
        return KeyVaultSecret(value: value, version: bundle.version)
    }

    /// Deletes the secret with all its versions. Returns false when there was none.
    /// On a vault with soft-delete the secret stays recoverable until it is purged.
    @discardableResult
    public func deleteSecret(name: String, logger: Logger) async throws(KeyVaultError) -> Bool {
        let answer = try await send(.DELETE, name: name, body: nil, logger: logger)
        if answer.status == 404 { return false }
        guard answer.status == 200 else { throw Self.failure(answer.status, answer.body) }
        return true
    }

    // MARK: Requests

    private func send(_ method: HTTPMethod, name: String, body: Data?, logger: Logger) async throws(KeyVaultError) -> (status: Int, body: Data) {
        // Key Vault names are 1-127 of [0-9a-zA-Z-]; checking keeps any other character out of the path.
        guard (1...127).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .unexpected(status: 0, code: "invalid_secret_name")
        }
        let first = try await attempt(method, name: name, body: body, logger: logger)
        guard first.status == 401 else { return first }
        // A cached token the vault no longer takes (revoked, clock skew): one retry with a fresh one.
        await tokens.invalidate()
        return try await attempt(method, name: name, body: body, logger: logger)
    }

    private func attempt(_ method: HTTPMethod, name: String, body: Data?, logger: Logger) async throws(KeyVaultError) -> (status: Int, body: Data) {
        let token = try await vaultToken(logger: logger)
        var request = HTTPClientRequest(url: "\(vaultURL)/secrets/\(name)?api-version=\(Self.apiVersion)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token.revealed)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let started = ContinuousClock.now
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000)))
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            let reason = EntraTokenClient.transportReason(error)
            logger.warning("key vault request failed in transport", metadata: ["cpv.secret": "\(name)", "cpv.error": "\(reason)"])
            throw .unavailable(reason)
        }
        logger.debug(
            "key vault answered",
            metadata: ["cpv.http.method": "\(method.rawValue)", "cpv.http.status": "\(status)", "cpv.duration": "\(ContinuousClock.now - started)"])
        if status == 429 || status >= 500 {
            throw .unavailable("HTTP \(status)")
        }
        return (status, data)
    }

    private func vaultToken(logger: Logger) async throws(KeyVaultError) -> Secret<String> {
        if let cached = await tokens.current() { return cached }
        do {
            let response = try await entra.token(profile: profile, tenant: tenant, grant: .clientCredentials, scope: scope, logger: logger)
            await tokens.store(response.accessToken, expiresIn: response.expiresIn)
            return response.accessToken
        } catch {
            throw .noVaultToken(transient: error.reason == .transient, detail: error.description)
        }
    }

    // MARK: Bodies

    /// The useful part of a SecretBundle: its value and the version at the end of its `id`.
    static func bundle(_ data: Data) -> (value: Secret<String>?, version: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let id = object["id"] as? String, let version = id.split(separator: "/").last
        else { return nil }
        return ((object["value"] as? String).map(Secret.init), String(version))
    }

    static func failure(_ status: Int, _ data: Data) -> KeyVaultError {
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        let code = (object?["error"] as? [String: Any])?["code"] as? String ?? "unknown"
        if status == 401 || status == 403 { return .forbidden(status: status, code: code) }
        return .unexpected(status: status, code: code)
    }

    // MARK: Clouds

    /// The cloud a vault belongs to, from its DNS suffix; anything else (the simulator, a proxy)
    /// is treated as the global cloud.
    static func cloud(ofVault url: String) -> Cloud {
        let host = URLComponents(string: url)?.host?.lowercased() ?? ""
        if host.hasSuffix(".vault.usgovcloudapi.net") { return .usgov }
        if host.hasSuffix(".vault.azure.cn") { return .china }
        return .global
    }

    /// The audience of vault tokens in each cloud.
    static func audience(of cloud: Cloud) -> String {
        switch cloud {
        case .global: return "https://vault.azure.net"
        case .usgov: return "https://vault.usgovcloudapi.net"
        case .china: return "https://vault.azure.cn"
        }
    }
}
