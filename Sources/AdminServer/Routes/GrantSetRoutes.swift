import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

/// `GET /api/v1/grant-sets` (every version, newest first), `POST /api/v1/grant-sets` (propose the
/// next version: 202 with the proposal), `GET /api/v1/grant-sets/proposals`, and
/// `POST /api/v1/grant-sets/proposals/{id}/approve|reject`. The rules (two admins, the ceiling) are
/// `GrantSetPublishing`'s. Wiring: `GrantSetRoutes(grantSets:, publishing:).register(on: api)`.
public struct GrantSetRoutes: Sendable {
    let grantSets: GrantSetRepository
    let publishing: GrantSetPublishing

    public init(grantSets: GrantSetRepository, publishing: GrantSetPublishing) {
        self.grantSets = grantSets
        self.publishing = publishing
    }

    /// The wire form of a grant set.
    struct GrantSetDTO: Encodable {
        let version: Int
        let applicationId: String
        let displayName: String
        let grants: [ApplicationGrant]
        let createdBy: String
        let createdAt: Date

        init(_ grantSet: GrantSet) {
            version = grantSet.version
            applicationId = grantSet.applicationID.description
            displayName = grantSet.displayName
            grants = grantSet.grants
            createdBy = grantSet.createdBy
            createdAt = grantSet.createdAt
        }
    }

    /// The wire form of a proposal.
    struct ProposalDTO: Encodable {
        let id: Int64
        let status: String
        let applicationId: String
        let displayName: String
        let grants: [ApplicationGrant]
        let baseVersion: Int?
        let proposedBy: String
        let proposedAt: Date
        let decidedBy: String?
        let decidedAt: Date?
        let decisionReason: String?
        let publishedVersion: Int?

        init(_ proposal: GrantSetProposal) {
            id = proposal.id
            status = proposal.status.rawValue
            applicationId = proposal.applicationID.description
            displayName = proposal.displayName
            grants = proposal.grants
            baseVersion = proposal.baseVersion
            proposedBy = proposal.proposedBy
            proposedAt = proposal.proposedAt
            decidedBy = proposal.decidedBy
            decidedAt = proposal.decidedAt
            decisionReason = proposal.decisionReason
            publishedVersion = proposal.publishedVersion
        }
    }

    struct ApprovedDTO: Encodable {
        let proposal: ProposalDTO
        let grantSet: GrantSetDTO
    }

    /// `POST` body: `applicationId` may be left out to keep the current grant set's application.
    struct PublishBody: Decodable {
        struct Grant: Decodable {
            let enterpriseApplicationId: String
            let scope: String
        }
        let applicationId: String?
        let displayName: String
        let grants: [Grant]
    }

    struct RejectBody: Decodable {
        let reason: String?
    }

    /// Registers under the `/api/v1` group (behind `StaffAuthMiddleware`): reading needs `viewer`,
    /// proposing, approving and rejecting `admin`.
    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/grant-sets") { _, context in
            _ = try context.require(.viewer)
            let sets = try await grantSets.all(logger: context.logger)
            return try JSONBody.response(["items": sets.map(GrantSetDTO.init)])
        }
        api.post("/grant-sets") { request, context in
            let staff = try context.require(.admin)
            let body = try await JSONBody.decode(
                PublishBody.self, from: request, context: context, allowedKeys: ["applicationId", "displayName", "grants"])
            let draft = GrantSetDraft(
                applicationID: body.applicationId ?? "", displayName: body.displayName,
                grants: body.grants.map { GrantSetDraft.Grant(enterpriseApplicationID: $0.enterpriseApplicationId, scope: $0.scope) })
            let proposal = try await Self.mapped { try await publishing.propose(draft, by: staff, logger: context.logger) }
            return try JSONBody.response(ProposalDTO(proposal), status: .accepted)
        }
        api.get("/grant-sets/proposals") { _, context in
            _ = try context.require(.viewer)
            return try JSONBody.response(["items": try await publishing.recent(logger: context.logger).map(ProposalDTO.init)])
        }
        api.post("/grant-sets/proposals/{id}/approve") { _, context in
            let staff = try context.require(.admin)
            let id = try Self.proposalID(context)
            let (proposal, published) = try await Self.mapped { try await publishing.approve(id, by: staff, logger: context.logger) }
            return try JSONBody.response(ApprovedDTO(proposal: ProposalDTO(proposal), grantSet: GrantSetDTO(published)))
        }
        api.post("/grant-sets/proposals/{id}/reject") { request, context in
            let staff = try context.require(.admin)
            let id = try Self.proposalID(context)
            let body = try await JSONBody.decodeOptional(RejectBody.self, from: request, context: context, allowedKeys: ["reason"])
            if let reason = body?.reason, reason.count > 512 {
                throw APIError(.badRequest, code: "invalid_reason", message: "reason is longer than 512 characters", details: ["field": "reason"])
            }
            let proposal = try await Self.mapped { try await publishing.reject(id, reason: body?.reason, by: staff, logger: context.logger) }
            return try JSONBody.response(ProposalDTO(proposal))
        }
    }

    static func proposalID(_ context: AppRequestContext) throws -> Int64 {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
            throw APIError(.badRequest, code: "invalid_proposal_id", message: "the proposal id must be a positive integer")
        }
        return id
    }

    /// The services' refusals as API errors.
    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DomainValidationError {
            throw APIError(
                .unprocessableContent, code: "validation_failed", message: "\(error.field): \(error.message)",
                details: ["field": error.field, "reason": error.code.rawValue])
        } catch let error as GrantCeilingExceeded {
            throw APIError(
                .unprocessableContent, code: "grant_above_ceiling", message: error.description,
                details: ["excess": error.excess.map(\.description).joined(separator: "; ")])
        } catch let error as GrantSetProposalError {
            switch error {
            case .notFound: throw APIError.notFound(error.description)
            case .alreadyOpen: throw APIError(.conflict, code: "proposal_open", message: error.description)
            case .alreadyDecided: throw APIError(.conflict, code: "proposal_decided", message: error.description)
            case .corruptRow: throw APIError.internalError
            }
        }
    }
}
