import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// A grant set waiting for a second admin (migration 0012).
public struct GrantSetProposal: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, approved, rejected }

    public let id: Int64
    public let applicationID: ApplicationID
    public let displayName: String
    public let grants: [ApplicationGrant]
    /// The version current when it was proposed; nil before the first grant set.
    public let baseVersion: Int?
    public let status: Status
    public let proposedBy: String
    public let proposedByTokenID: Int64
    public let proposedByName: String
    public let proposedAt: Date
    public let decidedBy: String?
    public let decidedAt: Date?
    public let decisionReason: String?
    public let publishedVersion: Int?

    /// The proposal as a draft to publish, validated again (rules may have grown since it was stored).
    public func validatedDraft() throws(DomainValidationError) -> ValidGrantSetDraft {
        try GrantSetDraft(
            applicationID: applicationID.description, displayName: displayName,
            grants: grants.map { GrantSetDraft.Grant(enterpriseApplicationID: $0.enterpriseApplicationID.description, scopes: $0.scopes) }
        ).validated()
    }
}

/// Grant set proposals: one open at a time; approving publishes the next version in the same
/// transaction. Who may propose and approve is `GrantSetPublishing`'s rule, not the store's.
public struct GrantSetProposalRepository: Sendable {
    let grantSets: GrantSetRepository

    public init(grantSets: GrantSetRepository) {
        self.grantSets = grantSets
    }

    var client: PostgresClient { grantSets.client }

    static let columns = """
        id, application_id, display_name, grants::text, base_version, status, proposed_by, proposed_by_token, proposed_by_name,
        proposed_at, decided_by, decided_at, decision_reason, published_version
        """

    public func propose(_ draft: ValidGrantSetDraft, by staff: StaffMember, logger: Logger) async throws -> GrantSetProposal {
        let grants = try GrantSetRepository.grantsJSON(draft.grants)
        do {
            return try await client.inTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO grant_set_proposals (
                        application_id, display_name, grants, base_version, proposed_by, proposed_by_token, proposed_by_name)
                    VALUES (\(draft.applicationID.uuid), \(draft.displayName), \(grants)::jsonb, (SELECT max(version) FROM grant_sets),
                            \(staff.actor), \(staff.tokenID), \(staff.name))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                guard let proposal = try await Self.first(rows) else { throw GrantSetProposalError.notFound(0) }
                try await grantSets.audit.append(
                    AuditRecord(
                        actor: staff.actor, action: "grant_set.proposed", requestBody: grants,
                        details: AuditDetails.json([
                            "proposalId": String(proposal.id), "displayName": proposal.displayName,
                            "baseVersion": proposal.baseVersion.map(String.init) ?? "none",
                        ])),
                    on: connection, logger: logger)
                return proposal
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw GrantSetProposalError.alreadyOpen
        }
    }

    public func proposal(id: Int64, logger: Logger) async throws -> GrantSetProposal? {
        try await Self.first(
            try await client.query("SELECT \(unescaped: Self.columns) FROM grant_set_proposals WHERE id = \(id)", logger: logger))
    }

    /// The most recent proposals, newest first.
    public func recent(limit: Int = 20, logger: Logger) async throws -> [GrantSetProposal] {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM grant_set_proposals ORDER BY proposed_at DESC, id DESC LIMIT \(Int64(limit))",
            logger: logger)
        var proposals: [GrantSetProposal] = []
        for try await row in rows { proposals.append(try Self.decode(NamedRow(row))) }
        return proposals
    }

    /// Approves a pending proposal and publishes it, or rejects it: one transaction, with the
    /// proposal's row locked so that two decisions cannot both land. Returns the decided proposal
    /// and, when approved, the published grant set.
    public func decide(
        id: Int64, approve: Bool, reason: String?, by actor: String, logger: Logger
    ) async throws -> (GrantSetProposal, GrantSet?) {
        try await client.inTransaction(logger: logger) { connection in
            let locked = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM grant_set_proposals WHERE id = \(id) FOR UPDATE", logger: logger)
            guard let proposal = try await Self.first(locked) else { throw GrantSetProposalError.notFound(id) }
            guard proposal.status == .pending else { throw GrantSetProposalError.alreadyDecided(id, proposal.status) }
            let published = approve ? try await grantSets.publish(try proposal.validatedDraft(), actor: actor, on: connection, logger: logger) : nil
            let rows = try await connection.query(
                """
                UPDATE grant_set_proposals
                SET status = \(approve ? "approved" : "rejected"), decided_by = \(actor), decided_at = now(),
                    decision_reason = \(reason), published_version = \(published?.version)
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let decided = try await Self.first(rows) else { throw GrantSetProposalError.notFound(id) }
            var details = ["proposalId": String(id), "proposedBy": proposal.proposedBy]
            if let published { details["version"] = String(published.version) }
            if let reason { details["reason"] = reason }
            try await grantSets.audit.append(
                AuditRecord(
                    actor: actor, action: approve ? "grant_set.approved" : "grant_set.rejected", details: AuditDetails.json(details)),
                on: connection, logger: logger)
            return (decided, published)
        }
    }

    static func first(_ rows: PostgresRowSequence) async throws -> GrantSetProposal? {
        for try await row in rows { return try decode(NamedRow(row)) }
        return nil
    }

    static func decode(_ row: NamedRow) throws -> GrantSetProposal {
        let id = try row("id", as: Int64.self)
        guard let status = GrantSetProposal.Status(rawValue: try row("status", as: String.self)),
            let grants = try? JSONDecoder().decode([ApplicationGrant].self, from: Data(try row("grants", as: String.self).utf8))
        else {
            throw GrantSetProposalError.corruptRow(id)
        }
        return GrantSetProposal(
            id: id, applicationID: ApplicationID(try row("application_id", as: UUID.self)),
            displayName: try row("display_name", as: String.self), grants: grants,
            baseVersion: try row("base_version", as: Int32?.self).map(Int.init), status: status,
            proposedBy: try row("proposed_by", as: String.self), proposedByTokenID: try row("proposed_by_token", as: Int64.self),
            proposedByName: try row("proposed_by_name", as: String.self), proposedAt: try row("proposed_at", as: Date.self),
            decidedBy: try row("decided_by", as: String?.self), decidedAt: try row("decided_at", as: Date?.self),
            decisionReason: try row("decision_reason", as: String?.self),
            publishedVersion: try row("published_version", as: Int32?.self).map(Int.init))
    }
}

/// Why a proposal operation was refused by the store.
public enum GrantSetProposalError: Error, Equatable, CustomStringConvertible {
    case notFound(Int64)
    case alreadyOpen
    case alreadyDecided(Int64, GrantSetProposal.Status)
    case corruptRow(Int64)

    public var description: String {
        switch self {
        case .notFound(let id): return "no grant set proposal \(id)"
        case .alreadyOpen: return "another grant set proposal is waiting for approval; approve or reject it first"
        case .alreadyDecided(let id, let status): return "grant set proposal \(id) is already \(status.rawValue)"
        case .corruptRow(let id): return "grant set proposal \(id) holds values this version cannot read"
        }
    }
}
