import Foundation
import Hummingbird

/// An Entra ID token-endpoint failure in the wire shape of reference §1.5, with the status of §1.6.
struct AADSTSError: Error, Sendable, Equatable {
    var code: Int
    var error: String
    var message: String
    var status: HTTPResponse.Status
    var suberror: String?

    init(_ code: Int, _ error: String, _ message: String, status: HTTPResponse.Status = .badRequest, suberror: String? = nil) {
        self.code = code
        self.error = error
        self.message = message
        self.status = status
        self.suberror = suberror
    }

    private struct Body: Encodable {
        var error: String
        var error_description: String
        var error_codes: [Int]
        var timestamp: String
        var trace_id: String
        var correlation_id: String
        var error_uri: String
        var suberror: String?
    }

    /// `YYYY-MM-DD HH:MM:SSZ`, the timestamp form Entra writes.
    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return f.string(from: date)
    }

    func response(now: Date, correlationId: String?) -> Response {
        let trace = GUIDFormat.random()
        let correlation = correlationId ?? GUIDFormat.random()
        let ts = Self.timestamp(now)
        let body = Body(
            error: error,
            error_description: "AADSTS\(code): \(message)\r\nTrace ID: \(trace)\r\nCorrelation ID: \(correlation)\r\nTimestamp: \(ts)",
            error_codes: [code], timestamp: ts, trace_id: trace, correlation_id: correlation,
            error_uri: "https://login.microsoftonline.com/error?code=\(code)", suberror: suberror
        )
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store, no-cache"
        return HTTPResponses.json(body, status: status, headers: headers)
    }
}

extension AADSTSError {
    // Partner-credential failures (§1.6): the refresh token is dead and only a new interactive consent helps.
    static func refreshTokenDead(code: Int) -> AADSTSError {
        switch code {
        case 700082:
            AADSTSError(700082, "invalid_grant", "The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00.", suberror: "bad_token")
        case 50173:
            AADSTSError(50173, "invalid_grant", "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
        case 50076:
            AADSTSError(50076, "invalid_grant", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.", suberror: "basic_action")
        case 53003:
            AADSTSError(53003, "interaction_required", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", suberror: "message_only")
        case 65001:
            consentMissing
        default:
            AADSTSError(70008, "invalid_grant", "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
        }
    }

    static let refreshTokenDeadCodes: Set<Int> = [700082, 70008, 50173, 50076, 53003, 65001]

    static let consentMissing = AADSTSError(65001, "invalid_grant", "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.")
    static let invalidSecret = AADSTSError(7000215, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", status: .unauthorized)
    static let expiredSecret = AADSTSError(7000222, "invalid_client", "The provided client secret keys for app are expired. Visit the Azure portal to create new keys for your app.", status: .unauthorized)
    static let missingClientCredential = AADSTSError(7000218, "invalid_client", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", status: .unauthorized)
    static let codeRedeemed = AADSTSError(54005, "invalid_grant", "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
    static let resourceOnV2 = AADSTSError(901002, "invalid_request", "The 'resource' request parameter is not supported.")
    static let temporarilyUnavailable = AADSTSError(90033, "temporarily_unavailable", "A transient error has occurred. Please try again.", status: .serviceUnavailable)

    static func assertionInvalid(_ why: String) -> AADSTSError {
        AADSTSError(700027, "invalid_client", "Client assertion failed signature validation. \(why)", status: .unauthorized)
    }

    static func assertionTime(_ why: String) -> AADSTSError {
        AADSTSError(700024, "invalid_client", "Client assertion is not within its valid time range. \(why)", status: .unauthorized)
    }

    static func applicationNotFound(_ appId: String, tenant: String) -> AADSTSError {
        AADSTSError(700016, "unauthorized_client", "Application with identifier '\(appId)' was not found in the directory '\(tenant)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.")
    }

    static func tenantNotFound(_ tenant: String) -> AADSTSError {
        AADSTSError(90002, "invalid_tenant", "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
    }

    static func invalidScope(_ scope: String) -> AADSTSError {
        AADSTSError(70011, "invalid_scope", "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope \(scope) is not valid.")
    }

    static func multiResourceScope(_ scope: String) -> AADSTSError {
        AADSTSError(700022, "invalid_scope", "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope \(scope) is not valid.")
    }

    static func unknownResource(_ resource: String) -> AADSTSError {
        AADSTSError(500011, "invalid_resource", "The resource principal named \(resource) was not found in the tenant.")
    }

    static func invalidGrant(_ code: Int, _ message: String) -> AADSTSError {
        AADSTSError(code, "invalid_grant", message)
    }

    static func invalidRequest(_ code: Int, _ message: String) -> AADSTSError {
        AADSTSError(code, "invalid_request", message)
    }

    static func userNotInTenant(_ upn: String, tenant: String) -> AADSTSError {
        AADSTSError(50020, "invalid_grant", "User account '\(upn)' from identity provider does not exist in tenant '\(tenant)' and cannot access the application in that tenant.")
    }
}
