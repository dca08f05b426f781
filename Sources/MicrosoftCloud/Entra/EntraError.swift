import Foundation

/// An error answered by Entra ID's token endpoint (partner-center-api.md §1.5).
///
/// Branches on `error` and `errorCodes`, never on the description text, as Microsoft advises.
/// The description is kept for operators but cut to its first line: the rest repeats the trace
/// and correlation ids, which have their own fields.
public struct EntraError: Error, Sendable, Equatable, CustomStringConvertible {
    public let httpStatus: Int
    /// The OAuth error, e.g. `invalid_grant`, `invalid_client`, `interaction_required`.
    public let error: String
    /// The AADSTS numbers, e.g. `[700082]`.
    public let errorCodes: [Int]
    public let summary: String
    public let suberror: String?
    public let traceID: String?
    public let correlationID: String?

    public init(httpStatus: Int, error: String, errorCodes: [Int], summary: String, suberror: String?, traceID: String?, correlationID: String?) {
        self.httpStatus = httpStatus
        self.error = error
        self.errorCodes = errorCodes
        self.summary = summary
        self.suberror = suberror
        self.traceID = traceID
        self.correlationID = correlationID
    }

    /// `AADSTS700082` style code for reports and audit rows, or the OAuth error when no number came.
    public var code: String {
        errorCodes.first.map { "AADSTS\($0)" } ?? error
    }

    public var description: String {
        "\(code) (\(error), HTTP \(httpStatus)): \(summary)"
            + (traceID.map { " [trace \($0)]" } ?? "") + (correlationID.map { " [correlation \($0)]" } ?? "")
    }

    static func decode(_ data: Data, status: Int) -> EntraError? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let error = object["error"] as? String
        else { return nil }
        let description = object["error_description"] as? String ?? ""
        let firstLine = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? description
        return EntraError(
            httpStatus: status, error: error,
            errorCodes: (object["error_codes"] as? [NSNumber])?.map(\.intValue) ?? [],
            summary: String(firstLine.prefix(300)),
            suberror: object["suberror"] as? String,
            traceID: object["trace_id"] as? String,
            correlationID: object["correlation_id"] as? String)
    }
}

/// Everything that can go wrong asking Entra ID for a token.
public enum EntraClientError: Error, Sendable, CustomStringConvertible {
    /// Entra ID answered with an error body.
    case rejected(EntraError)
    /// Entra ID could not be reached, timed out, or failed on its side (5xx without a usable body).
    case unavailable(String)
    /// The answer was not a token response.
    case malformedResponse(status: Int)
    /// The client assertion could not be built.
    case credential(CredentialError)

    public var description: String {
        switch self {
        case .rejected(let error): return error.description
        case .unavailable(let reason): return "Entra ID unavailable: \(reason)"
        case .malformedResponse(let status): return "Entra ID answered HTTP \(status) without a token"
        case .credential(let error): return "client credential: \(error)"
        }
    }
}

import ConsentDomain

extension EntraError {
    /// What the orchestrator should do about this error (partner-center-api.md §1.6).
    public var reason: TokenFailureReason {
        TokenFailureReason.classify(aadstsCodes: errorCodes, error: error, httpStatus: httpStatus)
    }
}

extension EntraClientError {
    /// Transport failures and unusable answers are transient; credential problems are the app's.
    public var reason: TokenFailureReason {
        switch self {
        case .rejected(let error): return error.reason
        case .unavailable, .malformedResponse: return .transient
        case .credential: return .appMisconfigured
        }
    }
}
