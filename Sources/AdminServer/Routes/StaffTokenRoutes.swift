import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird

/// `GET /api/v1/tokens`, `POST /api/v1/tokens` (the token is in the answer once, never again) and
/// `POST /api/v1/tokens/{id}/revoke`. Admin. Creation and revocation are audited with the actor.
/// Wiring: `StaffTokenRoutes(tokens: services.staffTokens).register(on: api)`.
public struct StaffTokenRoutes: Sendable {
    let tokens: StaffTokenRepository

    public init(tokens: StaffTokenRepository) {
        self.tokens = tokens
    }

    struct TokenDTO: Encodable {
        let id: Int64
        let name: String
        let role: String
        let prefix: String
        let createdBy: String
        let createdAt: Date
        let lastUsedAt: Date?
        let revokedAt: Date?
        let expiresAt: Date
        let status: String

        init(_ summary: StaffTokenRepository.TokenSummary) {
            id = summary.id
            name = summary.name
            role = summary.role.rawValue
            prefix = summary.prefix
            createdBy = summary.createdBy
            createdAt = summary.createdAt
            lastUsedAt = summary.lastUsedAt
            revokedAt = summary.revokedAt
            expiresAt = summary.expiresAt
            status = summary.revokedAt != nil ? "revoked" : summary.isExpired() ? "expired" : "active"
        }
    }

    struct CreatedDTO: Encodable {
        let token: String
        let details: TokenDTO
    }

    struct CreateBody: Decodable {
        let name: String
        let role: String
        let expiresInDays: Int?
    }

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/tokens") { _, context in
            _ = try context.require(.admin)
            let all = try await tokens.list(logger: context.logger)
            return try JSONBody.response(["items": all.map(TokenDTO.init)])
        }
        api.post("/tokens") { request, context in
            let staff = try context.require(.admin)
            let body = try await JSONBody.decode(
                CreateBody.self, from: request, context: context, allowedKeys: ["name", "role", "expiresInDays"])
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...128).contains(name.count), !name.contains(where: { $0.isNewline || $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0 } }) else {
                throw APIError(.badRequest, code: "invalid_name", message: "name must be 1 to 128 printable characters", details: ["field": "name"])
            }
            guard let role = StaffRole(rawValue: body.role) else {
                throw APIError(.badRequest, code: "invalid_role", message: "role must be viewer, operator or admin", details: ["field": "role"])
            }
            let days = body.expiresInDays ?? StaffTokenRepository.defaultLifetimeDays
            guard (1...StaffTokenRepository.maximumLifetimeDays).contains(days) else {
                throw APIError(
                    .badRequest, code: "invalid_expires_in_days",
                    message: "expiresInDays must be from 1 to \(StaffTokenRepository.maximumLifetimeDays)", details: ["field": "expiresInDays"])
            }
            let summary: StaffTokenRepository.TokenSummary
            let token: Secret<String>
            do {
                (summary, token) = try await tokens.create(
                    name: name, role: role, lifetimeDays: days, createdBy: staff.actor, logger: context.logger)
            } catch let error as StaffTokenError {
                throw APIError(.conflict, code: "duplicate_token_name", message: error.description, details: ["field": "name"])
            }
            var response = try JSONBody.response(CreatedDTO(token: token.revealed, details: TokenDTO(summary)), status: .created)
            // The only copy of the secret: keep it out of caches.
            response.headers[.cacheControl] = "no-store"
            return response
        }
        api.post("/tokens/{id}/revoke") { _, context in
            let staff = try context.require(.admin)
            guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
                throw APIError(.badRequest, code: "invalid_token_id", message: "the token id must be a positive integer")
            }
            guard try await tokens.revoke(id: id, actor: staff.actor, logger: context.logger) else {
                throw APIError.notFound("no active token \(id)")
            }
            return try JSONBody.response(["id": String(id), "revoked": "true"])
        }
    }
}
