import Foundation
import Hummingbird

/// A Partner Center failure in its wire shape `{code, description, data, source}` (reference §4.3).
struct PartnerCenterError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: Int
    var description: String

    private struct Body: Encodable {
        var code: Int
        var description: String
        var data: [String] = []
        var source = "PartnerFD"
    }

    var stored: StoredResponse {
        let data = (try? HTTPResponses.jsonEncoder.encode(Body(code: code, description: description))) ?? Data()
        return StoredResponse(status: Int(status.code), body: Array(data))
    }

    static func unauthorized(_ failure: BearerFailure) -> PartnerCenterError {
        PartnerCenterError(status: .unauthorized, code: 400, description: "Access denied. \(failure.message)")
    }

    static let appOnlyToken = PartnerCenterError(status: .badRequest, code: 900316, description: "Partner token (app-only) is not allowed for this operation; use an App+User token.")
    static let mfaMissing = PartnerCenterError(status: .forbidden, code: 400, description: "Access denied. App+User calls require multi-factor authentication: the token's amr claim does not contain 'mfa'.")
    static let appIdMismatch = PartnerCenterError(status: .forbidden, code: 400, description: "Access denied. The application id of the token does not match the applicationId of the request.")
    static let badBody = PartnerCenterError(status: .badRequest, code: 2000, description: "The request body is not valid JSON for an application consent.")
    static let badContinuation = PartnerCenterError(status: .badRequest, code: 2000, description: "The continuation token is invalid or has expired.")
    static let consentExists = PartnerCenterError(status: .conflict, code: 409, description: "Permission entry already exists.")
    static let consentNotFound = PartnerCenterError(status: .notFound, code: 1000, description: "Not found. The application has no consent in this customer tenant.")

    static func customerNotFound(_ id: String) -> PartnerCenterError {
        PartnerCenterError(status: .notFound, code: 60003, description: "Tenant not found: \(id).")
    }

    static func noRelationship(partner: String, customer: String) -> PartnerCenterError {
        PartnerCenterError(status: .forbidden, code: 20002, description: "Partner id \(partner) has no commerce relationship with customer id \(customer).")
    }

    static func forbiddenCustomer(_ id: String) -> PartnerCenterError {
        PartnerCenterError(status: .forbidden, code: 400, description: "Access denied. The calling user has no GDAP role allowing consent in customer \(id).")
    }

    static func invalidProperty(_ what: String) -> PartnerCenterError {
        PartnerCenterError(status: .badRequest, code: 3000, description: what)
    }
}

/// The body Partner Center's throttling layer answers with, which is not the usual error shape (§4.4).
struct ThrottleBody: Encodable {
    var statusCode = 429
    var message: String

    init(retryAfter: Int) { message = "Rate limit is exceeded. Try again in \(retryAfter) seconds." }
}
