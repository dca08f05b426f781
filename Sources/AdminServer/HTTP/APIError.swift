import ConsentDomain
import Foundation
import Hummingbird
import NIOCore

/// An error answered as `{"error": {"code", "message", "details"}}` with a stable snake_case `code`.
///
/// Domain errors are mapped to this at the edge (see `APIErrorMiddleware`); nothing below the HTTP
/// layer builds one. `message` is for humans and may change; `code` is the contract.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let details: [String: String]
    /// Seconds for a `Retry-After` header (429 and 503 answers).
    public let retryAfter: Int?

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: String] = [:], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    struct Body: Encodable {
        struct Payload: Encodable {
            let code: String
            let message: String
            let details: [String: String]
        }
        let error: Payload
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Body(error: .init(code: code, message: message, details: details)))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func notFound(_ message: String = "no such resource") -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// A service's refusal by role (`StaffPermissionError`), as `context.require` answers it.
    public static func forbidden(_ error: StaffPermissionError) -> APIError {
        APIError(
            .forbidden, code: "forbidden", message: error.description,
            details: ["required": error.required.rawValue, "role": error.role.rawValue])
    }

    public static let internalError = APIError(
        .internalServerError, code: "internal_error",
        message: "the server failed to handle the request; the request id in the logs has the details")
}
