import Foundation
import Hummingbird

/// Microsoft Graph's error answers, in its wire shape `{"error":{"code","message"}}`.
enum GraphResponses {
    private struct ErrorBody: Encodable {
        struct Inner: Encodable { var code: String; var message: String }
        var error: Inner
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) -> Response {
        HTTPResponses.json(ErrorBody(error: .init(code: code, message: message)), status: status, headers: headers)
    }

    static func unauthorized(_ failure: BearerFailure) -> Response {
        error(.unauthorized, code: "InvalidAuthenticationToken", message: failure.message)
    }

    /// Graph's throttling answer: 429, `Retry-After` in whole seconds (reference §12.4).
    static func throttled(retryAfter: Int) -> Response {
        var headers = HTTPFields()
        headers[.retryAfter] = "\(retryAfter)"
        return error(.tooManyRequests, code: "TooManyRequests", message: "Too many requests. Retry after \(retryAfter) seconds.", headers: headers)
    }

    /// What Graph answers for an object id that does not exist in the tenant.
    static func notFound(_ id: String) -> Response {
        error(.notFound, code: "Request_ResourceNotFound",
              message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
    }

    static func invalidFilter() -> Response {
        error(.badRequest, code: "BadRequest", message: "Invalid filter clause")
    }

    /// The caller's token is valid but the tenant refuses the read (`graphForbiddenTenants`).
    static func forbidden() -> Response {
        error(.forbidden, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.")
    }
}

/// Authentication of a Graph read in a tenant, shared by the Graph routes that read a tenant's objects.
struct GraphAccess: Sendable {
    let state: SimulatorState

    /// Runs `body` with the tenant a valid Graph token names; 401 for a bad token, 403 when the
    /// tenant is in `graphForbiddenTenants`.
    func tenant(_ request: Request, _ body: (String) async -> Response) async -> Response {
        switch state.verifyBearer(request, audience: .graph) {
        case .failure(let failure): return GraphResponses.unauthorized(failure)
        case .success(let claims):
            let tenantId = claims.tid.lowercased()
            if state.faults.graphForbiddenTenants.contains(tenantId) { return GraphResponses.forbidden() }
            return await body(tenantId)
        }
    }
}

/// A `$filter` of the two forms the simulator understands: `property eq 'value'` and
/// `property in ('a', 'b')` (quotes optional, property and operator case-insensitive, `+` read as
/// a space). Reconcile finds our service principal and its resources' with one `appId in (...)`.
struct GraphEqualityFilter: Equatable {
    var property: String
    /// One value for `eq`, the list for `in`; lower case.
    var values: [String]

    /// Nil when `filter` is not of either form.
    static func parse(_ filter: String) -> GraphEqualityFilter? {
        let text = filter.replacingOccurrences(of: "+", with: " ").trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3 else { return nil }
        let operand = parts[2].trimmingCharacters(in: .whitespaces)
        let raw: [Substring]
        switch parts[1].lowercased() {
        case "eq":
            guard !operand.contains(" ") else { return nil }
            raw = [Substring(operand)]
        case "in":
            guard operand.hasPrefix("("), operand.hasSuffix(")"), operand.count > 2 else { return nil }
            raw = operand.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
        default:
            return nil
        }
        var values: [String] = []
        for item in raw {
            var value = item.trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            guard !value.isEmpty, !value.contains("'"), !value.contains("\""), !value.contains(" ") else { return nil }
            values.append(value.lowercased())
        }
        return GraphEqualityFilter(property: parts[0].lowercased(), values: values)
    }

    /// Whether `value` is among the filter's values.
    func matches(_ value: String) -> Bool { values.contains(value.lowercased()) }
}
