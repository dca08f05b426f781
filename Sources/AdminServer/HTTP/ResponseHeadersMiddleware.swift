import HTTPTypes
import Hummingbird

/// Headers every response of the server carries, errors included (it sits outside the error
/// middleware): `Cache-Control: no-store` on the API and the consent pages, whose answers hold
/// customer data, one-time links and tokens; `Strict-Transport-Security` when the server is
/// published over https (`CPV_PUBLIC_URL`), so a browser never tries plain http again.
struct ResponseHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One year and subdomains: ASVS 3.4.1 at level 2.
    static var strictTransportSecurity: String { "max-age=31536000; includeSubDomains" }

    let https: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let path = request.uri.path
        if (path.hasPrefix("/api/") || path.hasPrefix("/consent/")) && response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        if https { response.headers[.strictTransportSecurity] = Self.strictTransportSecurity }
        return response
    }
}

/// Logs each request at debug with its method and path, never its query: the consent callback's
/// query holds the authorization code and state, an invitation's holds its secret.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.debug("request", metadata: ["hb.request.method": "\(request.method.rawValue)", "cpv.path": "\(request.uri.path)"])
        return try await next(request, context)
    }
}
