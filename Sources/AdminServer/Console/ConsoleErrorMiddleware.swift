import ConsentDomain
import Hummingbird
import Logging

/// Turns every error under `/console` into a friendly HTML page with the request id, never the
/// error's text (that goes to the log, with the same request id). A missing or ended session
/// sends the browser to the sign-in page instead.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConsoleError {
            return try page(status: error.status, title: error.title, message: error.message, context: context)
        } catch let error as APIError {
            if error.status == .unauthorized { return .redirect(to: "/console/sign-in", type: .normal) }
            let title = error.status == .forbidden ? "Your role does not allow this" : "That request was refused"
            // APIError messages are written for people and carry no internals (see APIError).
            return try page(status: error.status, title: title, message: error.message, context: context)
        } catch let error as StaffPermissionError {
            return try page(status: .forbidden, title: "Your role does not allow this", message: error.description, context: context)
        } catch let error as HTTPError {
            let status = error.status
            if status.code < 500 {
                let title = status == .notFound ? "Not found" : "That request was refused"
                return try page(status: status, title: title, message: "The address or the form was not one the console knows.", context: context)
            }
            context.logger.error("console request failed", metadata: ["cpv.error": "\(String(reflecting: error))", "cpv.path": "\(request.uri.path)"])
            return try internalError(context)
        } catch {
            context.logger.error("console request failed", metadata: ["cpv.error": "\(String(reflecting: error))", "cpv.path": "\(request.uri.path)"])
            return try internalError(context)
        }
    }

    private func internalError(_ context: Context) throws -> Response {
        try page(
            status: .internalServerError, title: "Something went wrong on our side",
            message: "The console could not finish this request. Nothing you did caused it; try again, and if it persists, give this request id to the on-call engineer.",
            context: context)
    }

    private func page(status: HTTPResponse.Status, title: String, message: String, context: Context) throws -> Response {
        let model = ErrorPage(
            chrome: context.consoleSession.map { ConsoleChrome(title: title, section: nil, session: $0) },
            status: Int(status.code), title: title, message: message, requestID: context.id)
        return try pages.render("console/error", model, status: status)
    }
}
