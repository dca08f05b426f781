import ConsentStore
import Foundation
import Hummingbird

/// Resolves the console session from its cookie and guards every console route behind it.
///
/// Without a live session the browser goes to the sign-in page. Every POST must carry the
/// session's synchronizer token in its `_csrf` field (SameSite=Strict already stops most
/// cross-site posts; the token also covers same-site attackers and old browsers).
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: ConsoleSessionRepository
    /// Errors of signed-in pages are rendered here, where the page still knows who is signed in.
    let errors: ConsoleErrorMiddleware
    /// Inactivity that ends a session (`CPV_CONSOLE_IDLE_MINUTES`).
    let idleTimeout: TimeInterval

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The run page's script polls its progress fragment: that is the page, not the person.
        let byPerson = !request.uri.path.hasSuffix("/progress")
        guard let cookie = request.cookies[ConsoleCookies.session]?.value,
            let session = try await sessions.session(cookie: cookie, idleTimeout: idleTimeout, touch: byPerson, logger: context.logger)
        else {
            return .redirect(to: "/console/sign-in", type: .normal)
        }
        var context = context
        context.consoleSession = session
        context.staff = session.member
        context.logger[metadataKey: "cpv.staff"] = "\(session.member.name)"
        return try await errors.handle(request, context: context) { request, context in
            var request = request
            if request.method == .post {
                let (form, buffered) = try await ConsoleForm.read(request)
                guard let sent = form["_csrf"], constantTimeEquals(sent, session.csrfToken) else {
                    context.logger.notice("console form without a valid CSRF token", metadata: ["cpv.path": "\(request.uri.path)"])
                    throw ConsoleError.csrfRejected
                }
                request = buffered
            }
            return try await next(request, context)
        }
    }
}

/// The console's cookie names and attributes.
enum ConsoleCookies {
    static let session = "cpv_console"
    /// The sign-in form's double-submit token: there is no session yet to bind it to.
    static let signIn = "cpv_signin"
    /// How long a session lasts; staff sign in again after a working day.
    static let sessionLifetime: Double = 12 * 3_600

    static func sessionCookie(_ value: String, secure: Bool) -> Cookie {
        Cookie(
            name: session, value: value, maxAge: Int(sessionLifetime), path: "/console", secure: secure, httpOnly: true,
            sameSite: .strict)
    }

    /// A random value for the sign-in form's double-submit token (190 bits).
    static func randomToken() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func expired(_ name: String, path: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func signInCookie(_ value: String, secure: Bool) -> Cookie {
        Cookie(name: signIn, value: value, maxAge: 3_600, path: "/console/sign-in", secure: secure, httpOnly: true, sameSite: .strict)
    }
}
