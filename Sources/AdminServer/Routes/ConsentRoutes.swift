import ConsentDomain
import Foundation
import HTTPTypes
import Hummingbird
import Orchestrator

/// The partner admin's side of onboarding: `/consent/{partnerId}/start` sends the browser to
/// Microsoft's sign-in; `/consent/callback` completes it and shows a plain result page.
struct ConsentRoutes {
    let onboarding: PartnerOnboarding
    let pages: PageRenderer
    let applicationName: String

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
        router.get("/consent/{partnerId}/start") { _, context in
            guard let raw = context.parameters.get("partnerId"), let partnerID = UUID(uuidString: raw) else {
                return try failure(.unknownPartner, context: context)
            }
            do {
                let location = try await onboarding.start(partnerID: partnerID, logger: context.logger)
                var response = Response.redirect(to: location, type: .found)
                response.headers[.cacheControl] = "no-store"
                response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
                return response
            } catch let error as OnboardingError {
                return try failure(error, context: context)
            }
        }
        router.get("/consent/callback") { request, context in
            let query = request.uri.queryParameters
            let callback = PartnerOnboarding.Callback(
                code: query["code"].map(String.init), state: query["state"].map(String.init),
                error: query["error"].map(String.init), errorDescription: query["error_description"].map(String.init))
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
        case .unknownPartner: status = .notFound
        case .partnerDisabled, .tenantMismatch, .mfaMissing, .signInDenied: status = .forbidden
        case .invalidState, .codeRedemptionFailed, .noRefreshToken: status = .badRequest
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
