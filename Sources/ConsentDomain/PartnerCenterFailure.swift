import Foundation

/// A failed Partner Center call as the client saw it: HTTP status, the error body's `code` (a
/// string here because Partner Center sends numbers and strings), its description, and `Retry-After`.
public struct PartnerCenterFailure: Sendable, Equatable, Codable, Error {
    public var status: Int
    public var code: String?
    public var description: String?
    /// Seconds from the `Retry-After` header, when there was one.
    public var retryAfter: TimeInterval?

    public init(status: Int, code: String? = nil, description: String? = nil, retryAfter: TimeInterval? = nil) {
        self.status = status
        self.code = code
        self.description = description
        self.retryAfter = retryAfter
    }

    /// The code to record in `last_error_code`: Partner Center's own, else the HTTP status.
    public var errorCode: String { code ?? String(status) }

    /// Classifies the failure for the consent state machine (partner-center-api.md §4.3, §4.4, §6).
    ///
    /// - Parameter tokenWasFresh: whether the call used a token redeemed just for it. A 401 with a
    ///   cached token is worth one retry with a new token; with a fresh one the partner's grant is
    ///   unusable and the partner must consent again.
    public func classify(tokenWasFresh: Bool = true) -> PartnerCenterFailureKind {
        switch (status, code) {
        case (429, _):
            return .throttled(retryAfter: retryAfter)
        case (408, _), (500, _), (502...599, _):
            return .transient(retryAfter: retryAfter)
        case (409, _):
            // The SDK maps every 409 to AlreadyExists; on applicationconsents it is "Permission entry already exists."
            return .alreadyExists
        case (401, Self.mfaRequiredCode?):
            // A fresh token from the same credential would lack MFA too: the partner must consent again.
            return .partnerLevel(.mfaRequired)
        case (401, _):
            return tokenWasFresh ? .partnerLevel(.partnerMustReconsent) : .transient(retryAfter: nil)
        case (403, Self.conditionalAccessCode?):
            return .partnerLevel(.conditionalAccessBlocked)
        case (400, Self.appOnlyTokenCode?):
            // Needs App+User; an app-only token is our bug, not the customer's.
            return .partnerLevel(.appMisconfigured)
        case (404, Self.tenantNotFoundCode?):
            return .customerLevel(errorCode)
        case (404, _):
            return .notFound
        default:
            return .customerLevel(errorCode)
        }
    }

    /// Partner Center's 401 code for an App+User token without MFA (enforced since 2026-04-01).
    static let mfaRequiredCode = "900421"
    /// Partner Center's 403 code for a call blocked by Conditional Access.
    static let conditionalAccessCode = "900309"
    /// Partner Center's 400 code for "partner (app-only) token not allowed".
    static let appOnlyTokenCode = "900316"
    /// Partner Center's 404 code for "Tenant not found": the customer is unknown, not the consent.
    static let tenantNotFoundCode = "60003"
}

/// What a Partner Center failure means for the task that made the call.
public enum PartnerCenterFailureKind: Sendable, Equatable, Codable {
    /// Server side or timeout: retry with backoff, counting an attempt.
    case transient(retryAfter: TimeInterval?)
    /// 429: wait at least `Retry-After`; does not count an attempt.
    case throttled(retryAfter: TimeInterval?)
    /// 409 "Permission entry already exists."
    case alreadyExists
    /// 404 on the consent itself: there was nothing to delete.
    case notFound
    /// Not retryable for this customer (not the partner's customer, unknown customer, bad request),
    /// with Partner Center's error code.
    case customerLevel(String)
    /// The partner's credentials cannot make this call for any customer.
    case partnerLevel(TokenFailureReason)
}

extension PartnerCenterFailure {
    private struct ErrorBody: Decodable {
        var code: Code?
        var description: String?
        // The 429 body has another shape: {"statusCode":429,"message":"Rate limit is exceeded. ..."}.
        var message: String?

        enum Code: Decodable {
            case string(String)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Int.self) {
                    self = .string(String(number))
                } else {
                    self = .string(try container.decode(String.self))
                }
            }
        }
    }

    /// Reads a failed response: the JSON error body in either documented shape (an unreadable body
    /// leaves `code` and `description` nil) and `Retry-After` given in seconds. An HTTP-date
    /// `Retry-After` is not used by Partner Center and is ignored.
    public init(status: Int, body: Data, retryAfterHeader: String?) {
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: body)
        let code: String? = switch parsed?.code {
        case .string(let value)?: value
        case nil: nil
        }
        let seconds = retryAfterHeader
            .flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }
            .flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
        self.init(status: status, code: code, description: parsed?.description ?? parsed?.message, retryAfter: seconds)
    }
}
