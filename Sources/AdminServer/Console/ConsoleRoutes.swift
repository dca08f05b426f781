import Composition
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator
import PostgresNIO

/// The operations console: server-rendered pages under `/console` for staff (docs/console.md).
///
/// Everything a page shows comes from the same repositories and queries as the JSON API; every
/// change goes through the same repository calls, so it is audited with the staff actor the same
/// way. Roles are checked with `context.require`, exactly as the API does.
struct ConsoleRoutes: Sendable {
    let services: AppServices
    let pages: ConsolePages
    let sessions: ConsoleSessionRepository
    let failures: FailedAuthentications
    /// Cookies get `Secure` when the console is served over https (`CPV_PUBLIC_URL`).
    let secureCookies: Bool

    init(services: AppServices, pages: ConsolePages, failures: FailedAuthentications) {
        self.services = services
        self.pages = pages
        self.failures = failures
        sessions = ConsoleSessionRepository(client: services.database, audit: services.audit)
        secureCookies = services.configuration.publicURL.lowercased().hasPrefix("https://")
    }

    var idleTimeout: TimeInterval { TimeInterval(services.configuration.consoleIdleMinutes * 60) }

    var customerQuery: CustomerQuery { CustomerQuery(client: services.database) }
    var auditQuery: AuditQuery { AuditQuery(client: services.database) }

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, _ in Response.redirect(to: "/console", type: .normal) }
        let errors = ConsoleErrorMiddleware(pages: pages)
        let console = router.group("console").add(middleware: SecurityHeadersMiddleware<AppRequestContext>()).add(middleware: errors)
        console.get("static/console.css") { _, _ in pages.staticFile(pages.stylesheet, contentType: "text/css; charset=utf-8") }
        console.get("static/console.js") { _, _ in pages.staticFile(pages.script, contentType: "text/javascript; charset=utf-8") }
        registerSignIn(on: console)

        let signedIn = console.group().add(
            middleware: ConsoleSessionMiddleware(sessions: sessions, errors: errors, idleTimeout: idleTimeout))
        signedIn.post("sign-out") { request, context in
            let session = try Self.session(context)
            if let cookie = request.cookies[ConsoleCookies.session]?.value {
                try await sessions.end(cookie: cookie, actor: session.member.actor, logger: context.logger)
            }
            var response = Response.redirect(to: "/console/sign-in", type: .normal)
            response.setCookie(ConsoleCookies.expired(ConsoleCookies.session, path: "/console", secure: secureCookies))
            return response
        }
        registerDashboard(on: signedIn)
        registerPartners(on: signedIn)
        registerCustomers(on: signedIn)
        registerRuns(on: signedIn)
        registerAudit(on: signedIn)
        registerReports(on: signedIn)
        registerGrantSets(on: signedIn)
        signedIn.get("**") { _, _ -> Response in
            throw ConsoleError.notFound("There is no console page at this address. Use the navigation bar to find what you need.")
        }
    }

    // MARK: Sign-in

    private func registerSignIn(on console: RouterGroup<AppRequestContext>) {
        console.get("sign-in") { request, context in
            if let cookie = request.cookies[ConsoleCookies.session]?.value,
                try await sessions.session(cookie: cookie, idleTimeout: idleTimeout, logger: context.logger) != nil
            {
                return Response.redirect(to: "/console", type: .normal)
            }
            return try signInPage(error: nil, status: .ok)
        }
        console.post("sign-in") { request, context in
            let (form, _) = try await ConsoleForm.read(request)
            // No session yet: the form proves it came from our page by echoing its cookie.
            guard let expected = request.cookies[ConsoleCookies.signIn]?.value, let sent = form["_signin"],
                constantTimeEquals(sent, expected)
            else {
                throw ConsoleError.csrfRejected
            }
            // A valid token always signs in; only failures are counted and slowed (per client address).
            let address = context.clientAddress
            guard let token = form.text("token"), let member = try await services.staffTokens.authenticate(token, logger: context.logger) else {
                let wait = await failures.blockedFor(address)
                await failures.record(address)
                if let wait {
                    return try signInPage(error: "Too many failed sign-ins from this address. Try again in \(wait) seconds.", status: .tooManyRequests)
                }
                var expired = false
                if let token = form.text("token") { expired = try await services.staffTokens.isExpired(token, logger: context.logger) }
                return try signInPage(
                    error: expired ? "That API token has expired. Ask an admin for a new one." : "That API token is unknown or revoked.",
                    status: .unauthorized)
            }
            let (secret, _) = try await sessions.start(for: member, lifetime: ConsoleCookies.sessionLifetime, logger: context.logger)
            var response = Response.redirect(to: "/console", type: .normal)
            response.setCookie(ConsoleCookies.sessionCookie(secret.revealed, secure: secureCookies))
            response.setCookie(ConsoleCookies.expired(ConsoleCookies.signIn, path: "/console/sign-in", secure: secureCookies))
            return response
        }
    }

    private func signInPage(error: String?, status: HTTPResponse.Status) throws -> Response {
        let formToken = ConsoleCookies.randomToken()
        var response = try pages.render("console/sign-in", SignInPage(formToken: formToken, error: error), status: status)
        response.setCookie(ConsoleCookies.signInCookie(formToken, secure: secureCookies))
        return response
    }

    // MARK: Helpers shared by the page families

    static func session(_ context: AppRequestContext) throws -> ConsoleSessionRepository.Session {
        guard let session = context.consoleSession else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "sign in first")
        }
        return session
    }

    func chrome(_ context: AppRequestContext, _ title: String, _ section: ConsoleChrome.Section?, notice: ConsoleChrome.Notice? = nil) throws
        -> ConsoleChrome
    {
        ConsoleChrome(title: title, section: section, session: try Self.session(context), notice: notice)
    }

    static func uuid(_ context: AppRequestContext, _ what: String) throws -> UUID {
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw ConsoleError.notFound("There is no \(what) at this address.")
        }
        return id
    }

    func partnerNames(_ context: AppRequestContext) async throws -> [Partner] {
        try await services.partners.allPartners(logger: context.logger)
    }
}
