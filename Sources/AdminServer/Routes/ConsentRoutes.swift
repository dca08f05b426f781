import ConsentDomain
import Foundation
import HTTPTypes
import Hummingbird
import Orchestrator

/// The partner admin's side of onboarding: `/consent/start?invitation=...` sends the browser to
/// Microsoft's sign-in; `/consent/callback` completes it and shows a plain result page. Reachable
/// without a staff credential, so every address is held to `CPV_CONSENT_REQUESTS_PER_MINUTE`, and
/// neither the query (the invitation's secret, the code, the state) nor Entra's text reaches a log.
struct ConsentRoutes {
    let onboarding: PartnerOnboarding
    let pages: PageRenderer
    let applicationName: String
    let limiter: AddressWindow

    /// The result page's view model.
    struct ResultPage {
        let outcome: String
        let title: String
        let message: String
        let partnerName: String?
        let tenantID: String?
        let consentedBy: String?
        let applicationName: String
        let reference: String?
    }

    func register(on router: Router<AppRequestContext>) {
        let consent = router.group("consent").add(middleware: ConsentRateLimitMiddleware(limiter: limiter, pages: pages, applicationName: applicationName))
        consent.get("start") { request, context in
            do {
                let location = try await onboarding.start(
                    invitationSecret: request.uri.queryParameters["invitation"].map(String.init), logger: context.logger)
                var response = Response.redirect(to: location, type: .found)
                response.headers[.cacheControl] = "no-store"
                response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
                return response
            } catch let error as OnboardingError {
                return try failure(error, context: context)
            }
        }
        consent.get("callback") { request, context in
            let query = request.uri.queryParameters
            let callback = PartnerOnboarding.Callback(
                code: query["code"].map(String.init), state: query["state"].map(String.init),
                error: query["error"].map(String.init), errorDescription: query["error_description"].map(String.init),
                issuer: query["iss"].map(String.init))
            do {
                let partner = try await onboarding.complete(callback, logger: context.logger)
                return try pages.page(
                    "consent-result",
                    ResultPage(
                        outcome: "ok", title: "Consent recorded",
                        message: "Thank you. \(applicationName) can now keep its access to your customers' tenants up to date. You can close this page.",
                        partnerName: partner.displayName, tenantID: partner.tenantID.description, consentedBy: partner.consentedBy,
                        applicationName: applicationName, reference: nil))
            } catch let error as OnboardingError {
                return try failure(error, context: context)
            }
        }
    }

    private func failure(_ error: OnboardingError, context: AppRequestContext) throws -> Response {
        let status: HTTPResponse.Status
        switch error {
        case .invalidInvitation: status = .notFound
        case .consentNoLongerAllowed, .tenantMismatch, .mfaMissing, .signInDenied, .guestUser, .notAnAdmin, .adminUnverifiable: status = .forbidden
        case .invalidState, .issuerMismatch, .codeRedemptionFailed, .noRefreshToken: status = .badRequest
        case .roleCheckFailed: status = .serviceUnavailable
        case .tokenStoreFailed(let reason, _): status = reason == .transient ? .serviceUnavailable : .internalServerError
        }
        return try pages.page(
            "consent-result",
            ResultPage(
                outcome: "failed", title: "Consent not recorded", message: error.description, partnerName: nil, tenantID: nil,
                consentedBy: nil, applicationName: applicationName, reference: error.code),
            status: status)
    }
}

/// Holds each address to its allowance of public consent requests; beyond it, a 429 page with
/// `Retry-After`, before anything is read or written.
struct ConsentRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: AddressWindow
    let pages: PageRenderer
    let applicationName: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let wait = await limiter.admit(context.clientAddress) else { return try await next(request, context) }
        var response = try pages.page(
            "consent-result",
            ConsentRoutes.ResultPage(
                outcome: "failed", title: "Too many requests",
                message: "Too many consent requests came from your network. Try again in \(wait) seconds.", partnerName: nil,
                tenantID: nil, consentedBy: nil, applicationName: applicationName, reference: "too_many_requests"),
            status: .tooManyRequests)
        response.headers[.retryAfter] = String(wait)
        return response
    }
}
