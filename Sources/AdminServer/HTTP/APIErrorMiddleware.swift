import ConsentDomain
import Hummingbird
import Logging

/// Turns every error that reaches the edge into the API's JSON error shape.
///
/// Hummingbird's own errors (unknown route, undecodable body) keep their status but get a stable
/// code; anything unexpected becomes a 500 `internal_error` whose details go to the log with the
/// request id, never into the response.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StaffPermissionError {
            return try APIError.forbidden(error).response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.mapped(error).response(from: request, context: context)
        } catch {
            context.logger.error(
                "unhandled error", metadata: ["cpv.error": "\(String(reflecting: error))", "cpv.path": "\(request.uri.path)"])
            return try APIError.internalError.response(from: request, context: context)
        }
    }

    static func mapped(_ error: HTTPError) -> APIError {
        let code: String
        switch error.status.code {
        case 400: code = "bad_request"
        case 401: code = "unauthorized"
        case 403: code = "forbidden"
        case 404: code = "not_found"
        case 405: code = "method_not_allowed"
        case 413: code = "body_too_large"
        case 415: code = "unsupported_media_type"
        case 429: code = "too_many_requests"
        default: code = error.status.code >= 500 ? "internal_error" : "http_\(error.status.code)"
        }
        let message = error.body ?? error.status.reasonPhrase
        return APIError(error.status, code: code, message: error.status.code >= 500 ? APIError.internalError.message : message)
    }
}
