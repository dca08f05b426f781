import AdminServer
import ConsentDomain
import Foundation
import HTTPTypes
import Testing

/// The least role each route needs (nil: no staff token). `RouteRoleTests` checks that this table
/// names exactly the live router's `/api/` routes and walks them × roles; `OpenAPIDocumentTests`
/// compares the live router with `/openapi.yaml`. A new route fails both until it is added here
/// and documented.
enum RouteTable {
    static let roles: [String: StaffRole?] = [
        "GET /healthz": nil,
        "GET /readyz": nil,
        "GET /metrics": nil,
        "GET /openapi.yaml": nil,
        "GET /consent/start": nil,
        "GET /consent/callback": nil,
        "GET /api/v1/partners": .viewer,
        "POST /api/v1/partners": .admin,
        "GET /api/v1/partners/{id}": .viewer,
        "GET /api/v1/partners/{id}/verify": .operator,
        "POST /api/v1/partners/{id}/sync": .operator,
        "POST /api/v1/partners/{id}/disable": .admin,
        "GET /api/v1/partners/{id}/invitations": .viewer,
        "POST /api/v1/partners/{id}/invitations": .operator,
        "POST /api/v1/partners/{id}/invitations/{invitationId}/revoke": .operator,
        "GET /api/v1/grant-sets": .viewer,
        "POST /api/v1/grant-sets": .admin,
        "GET /api/v1/grant-sets/proposals": .viewer,
        "POST /api/v1/grant-sets/proposals/{id}/approve": .admin,
        "POST /api/v1/grant-sets/proposals/{id}/reject": .admin,
        "GET /api/v1/customers": .viewer,
        "GET /api/v1/customers/{id}": .viewer,
        "POST /api/v1/customers/{id}/regrant": .operator,
        "GET /api/v1/audit": .viewer,
        "GET /api/v1/audit/verify": .viewer,
        "GET /api/v1/tokens": .admin,
        "POST /api/v1/tokens": .admin,
        "POST /api/v1/tokens/{id}/revoke": .admin,
        "GET /api/v1/reports/{name}": .viewer,
        "GET /api/v1/runs": .viewer,
        "POST /api/v1/runs": .operator,
        "GET /api/v1/runs/{id}": .viewer,
        "GET /api/v1/runs/{id}/tasks": .viewer,
        "POST /api/v1/runs/{id}/pause": .operator,
        "POST /api/v1/runs/{id}/resume": .operator,
        "POST /api/v1/runs/{id}/cancel": .operator,
    ]

    /// Ids that exist nowhere, by the collection a path parameter follows.
    static let placeholders: [(template: String, value: String)] = [
        ("/partners/{id}", "/partners/6f1c2f4e-0000-4000-8000-00000000dead"),
        ("/customers/{id}", "/customers/999999"),
        ("/tokens/{id}", "/tokens/999999"),
        ("/runs/{id}", "/runs/0b7d6a52-0000-4000-8000-00000000dead"),
        ("/reports/{name}", "/reports/failures"),
        ("/invitations/{invitationId}", "/invitations/999999"),
        ("/proposals/{id}", "/proposals/999999"),
    ]

    /// The route's path with its parameters filled; nil when a parameter has no placeholder here.
    static func concrete(_ path: String) -> String? {
        var result = path
        for (template, value) in placeholders { result = result.replacingOccurrences(of: template, with: value) }
        return result.contains("{") ? nil : result
    }
}
