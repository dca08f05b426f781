import ConsentDomain
import ConsentStore
import Hummingbird
import NIOCore

/// The request context of the admin server: the authenticated staff member (set by
/// `StaffAuthMiddleware`) and the caller's address (for slowing down repeated failed sign-ins).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var staff: StaffMember?
    /// The console session behind the request's cookie (set by `ConsoleSessionMiddleware`).
    public var consoleSession: ConsoleSessionRepository.Session?
    public let remoteAddress: SocketAddress?
    /// The client's address: the peer's, or from `X-Forwarded-For` when the peer is a trusted proxy
    /// (`ClientAddressMiddleware`, `CPV_TRUSTED_PROXIES`). What failure counters and rate limits key on.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Request bodies of the admin API are small JSON documents.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The staff member, if their role allows `required`; otherwise a 401 or 403 `APIError`.
    public func require(_ required: StaffRole) throws -> StaffMember {
        guard let staff else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "send an API token as `Authorization: Bearer cpv_...`")
        }
        guard staff.role.allows(required) else {
            throw APIError(
                .forbidden, code: "forbidden", message: "this needs the \(required.rawValue) role; your token has \(staff.role.rawValue)",
                details: ["required": required.rawValue, "role": staff.role.rawValue])
        }
        return staff
    }
}
