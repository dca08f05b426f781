import Hummingbird

/// Why the console refused a request; rendered as a friendly page by `ConsoleErrorMiddleware`.
enum ConsoleError: Error {
    /// A state-changing form without this session's token (or the sign-in form's).
    case csrfRejected
    case notFound(String)
    case badRequest(String)
    case conflict(String)

    var status: HTTPResponse.Status {
        switch self {
        case .csrfRejected: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .conflict: .conflict
        }
    }

    var title: String {
        switch self {
        case .csrfRejected: "This form has expired"
        case .notFound: "Not found"
        case .badRequest: "That request was not understood"
        case .conflict: "That cannot be done now"
        }
    }

    var message: String {
        switch self {
        case .csrfRejected: "The form was not sent from a current console page. Go back, reload the page and try again."
        case .notFound(let message), .badRequest(let message), .conflict(let message): message
        }
    }
}
