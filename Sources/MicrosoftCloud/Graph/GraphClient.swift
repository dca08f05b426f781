import AsyncHTTPClient
import ConsentDomain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The few Microsoft Graph reads that verify a consent in a customer tenant (partner-center-api.md §7).
/// Every request has a deadline; the token is a delegated Graph token for that tenant.
public struct GraphClient: Sendable {
    let http: HTTPClient
    let timeout: Duration

    public init(http: HTTPClient, timeout: Duration = .seconds(20)) {
        self.http = http
        self.timeout = timeout
    }

    /// A service principal as Graph lists it.
    public struct ServicePrincipal: Sendable, Equatable, Decodable {
        public let id: String
        public let appId: String
        public let displayName: String?
    }

    /// A delegated permission grant (`oauth2PermissionGrant`): `scope` is space separated.
    public struct PermissionGrant: Sendable, Equatable, Decodable {
        public let clientId: String
        public let consentType: String
        public let resourceId: String
        public let scope: String

        public var scopes: [String] { scope.split(separator: " ").map(String.init) }
    }

    private struct Collection<T: Decodable>: Decodable {
        let value: [T]
    }

    /// Graph's error body: `{"error": {"code": "Request_ResourceNotFound", "message": "..."}}`.
    private struct GraphErrorBody: Decodable {
        struct Inner: Decodable { let code: String }
        let error: Inner
    }

    /// `GET /v1.0/servicePrincipals?$filter=appId eq '{appId}'`.
    public func servicePrincipals(
        profile: CloudProfile, accessToken: Secret<String>, appID: ApplicationID, logger: Logger
    ) async throws(GraphCallError) -> [ServicePrincipal] {
        let page: Collection<ServicePrincipal> = try await get(
            "\(profile.graph)/v1.0/servicePrincipals?$filter=\(Self.encode("appId eq '\(appID)'"))", accessToken: accessToken, logger: logger)
        return page.value
    }

    /// `GET /v1.0/servicePrincipals?$filter=appId in ('…', '…')`: several applications' service
    /// principals in one read (a reconcile finds ours and its resources' together).
    public func servicePrincipals(
        profile: CloudProfile, accessToken: Secret<String>, appIDs: [ApplicationID], logger: Logger
    ) async throws(GraphCallError) -> [ServicePrincipal] {
        let list = appIDs.map { "'\($0)'" }.joined(separator: ",")
        let page: Collection<ServicePrincipal> = try await get(
            "\(profile.graph)/v1.0/servicePrincipals?$filter=\(Self.encode("appId in (\(list))"))&$select=id,appId,displayName",
            accessToken: accessToken, logger: logger)
        return page.value
    }

    /// `GET /v1.0/servicePrincipals/{id}`: the application a grant's `resourceId` belongs to.
    public func servicePrincipal(
        profile: CloudProfile, accessToken: Secret<String>, id: String, logger: Logger
    ) async throws(GraphCallError) -> ServicePrincipal {
        try await get(
            "\(profile.graph)/v1.0/servicePrincipals/\(Self.encode(id))?$select=id,appId,displayName", accessToken: accessToken, logger: logger)
    }

    /// Percent-encodes a query value or path segment (only unreserved characters stay as they are).
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// `GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants`.
    public func permissionGrants(
        profile: CloudProfile, accessToken: Secret<String>, servicePrincipalID: String, logger: Logger
    ) async throws(GraphCallError) -> [PermissionGrant] {
        let page: Collection<PermissionGrant> = try await get(
            "\(profile.graph)/v1.0/servicePrincipals/\(Self.encode(servicePrincipalID))/oauth2PermissionGrants", accessToken: accessToken,
            logger: logger)
        return page.value
    }

    func get<T: Decodable>(_ url: String, accessToken: Secret<String>, logger: Logger) async throws(GraphCallError) -> T {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken.revealed)
        request.headers.add(name: "Accept", value: "application/json")
        let status: Int
        let body: ByteBuffer
        let retryAfter: TimeInterval?
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000)))
            body = try await response.body.collect(upTo: 4 << 20)
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After").flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }
        } catch {
            throw .transport(EntraTokenClient.transportReason(error))
        }
        logger.debug("graph call", metadata: ["cpv.http.status": "\(status)"])
        guard (200..<300).contains(status) else {
            if status == 429 { throw .throttled(retryAfter: retryAfter) }
            let code = (try? JSONDecoder().decode(GraphErrorBody.self, from: Data(body.readableBytesView)))?.error.code
            throw .failed(status: status, code: code)
        }
        guard let decoded = try? JSONDecoder().decode(T.self, from: Data(body.readableBytesView)) else {
            throw .malformedResponse(status: status)
        }
        return decoded
    }
}

/// A Graph call that did not produce a usable answer.
public enum GraphCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Any status but 429; `code` is Graph's own (`Authorization_RequestDenied`, ...) when it sent one.
    case failed(status: Int, code: String? = nil)
    /// 429: Graph throttled the tenant or the application; wait at least `retryAfter` seconds.
    case throttled(retryAfter: TimeInterval?)
    case transport(String)
    case malformedResponse(status: Int)

    public var code: String {
        switch self {
        case .failed(let status, _): "graph_\(status)"
        case .throttled: "graph_429"
        case .transport: "graph_unreachable"
        case .malformedResponse: "graph_malformed_response"
        }
    }

    public var description: String {
        switch self {
        case .failed(let status, let code?): "Graph answered \(status) (\(code))"
        case .failed(let status, nil): "Graph answered \(status)"
        case .throttled(let retryAfter?): "Graph answered 429 (Retry-After \(Int(retryAfter.rounded(.up))) s)"
        case .throttled(nil): "Graph answered 429"
        case .transport(let reason): "Graph unreachable: \(reason)"
        case .malformedResponse(let status): "Graph answered \(status) with an unreadable body"
        }
    }
}
