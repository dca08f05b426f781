import ConsentDomain
import Foundation
import HTTPTypes
import Testing

/// Every route of the server with the least role that may call it (nil: no staff token needed).
/// `RouteRoleTests` walks it × roles; `OpenAPIDocumentTests` compares it with `/openapi.yaml`.
/// Paths use OpenAPI templates; `concrete` fills them with ids that exist nowhere.
struct RouteEntry: Sendable, CustomTestStringConvertible {
    let method: HTTPRequest.Method
    let path: String
    let role: StaffRole?

    var testDescription: String { "\(method) \(path)" }

    var concrete: String {
        path.replacingOccurrences(of: "/partners/{id}", with: "/partners/6f1c2f4e-0000-4000-8000-00000000dead")
            .replacingOccurrences(of: "/customers/{id}", with: "/customers/999999")
            .replacingOccurrences(of: "/tokens/{id}", with: "/tokens/999999")
            .replacingOccurrences(of: "/reports/{name}", with: "/reports/failures")
            .replacingOccurrences(of: "/consent/{partnerId}", with: "/consent/6f1c2f4e-0000-4000-8000-00000000dead")
    }

    static let all: [RouteEntry] = [
        .init(method: .get, path: "/healthz", role: nil),
        .init(method: .get, path: "/readyz", role: nil),
        .init(method: .get, path: "/metrics", role: nil),
        .init(method: .get, path: "/openapi.yaml", role: nil),
        .init(method: .get, path: "/consent/{partnerId}/start", role: nil),
        .init(method: .get, path: "/consent/callback", role: nil),
        .init(method: .get, path: "/api/v1/partners", role: .viewer),
        .init(method: .post, path: "/api/v1/partners", role: .admin),
        .init(method: .get, path: "/api/v1/partners/{id}", role: .viewer),
        .init(method: .get, path: "/api/v1/partners/{id}/verify", role: .operator),
        .init(method: .post, path: "/api/v1/partners/{id}/sync", role: .operator),
        .init(method: .post, path: "/api/v1/partners/{id}/disable", role: .admin),
        .init(method: .get, path: "/api/v1/grant-sets", role: .viewer),
        .init(method: .post, path: "/api/v1/grant-sets", role: .admin),
        .init(method: .get, path: "/api/v1/customers", role: .viewer),
        .init(method: .get, path: "/api/v1/customers/{id}", role: .viewer),
        .init(method: .post, path: "/api/v1/customers/{id}/regrant", role: .operator),
        .init(method: .get, path: "/api/v1/audit", role: .viewer),
        .init(method: .get, path: "/api/v1/audit/verify", role: .viewer),
        .init(method: .get, path: "/api/v1/tokens", role: .admin),
        .init(method: .post, path: "/api/v1/tokens", role: .admin),
        .init(method: .post, path: "/api/v1/tokens/{id}/revoke", role: .admin),
        .init(method: .get, path: "/api/v1/reports/{name}", role: .viewer),
    ]

    static var api: [RouteEntry] { all.filter { $0.role != nil } }
}
