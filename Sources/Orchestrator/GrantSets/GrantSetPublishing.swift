import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// How a grant set becomes current, decided here once for the API, the console and the CLI.
///
/// A new grant set changes what every later run grants in every customer tenant, so it takes two
/// people: an admin proposes, a *different* admin (another token and another name) approves, and
/// approving publishes it. Anything above the configured ceiling (`CPV_GRANT_CEILING`) is refused
/// at both steps, whoever asks. Any admin may reject an open proposal; the proposer rejecting their
/// own is a withdrawal.
public struct GrantSetPublishing: Sendable {
    let grantSets: GrantSetRepository
    let proposals: GrantSetProposalRepository
    let ceiling: GrantCeiling

    public init(grantSets: GrantSetRepository, ceiling: GrantCeiling) {
        self.grantSets = grantSets
        proposals = GrantSetProposalRepository(grantSets: grantSets)
        self.ceiling = ceiling
    }

    public func propose(_ draft: GrantSetDraft, by staff: StaffMember, logger: Logger) async throws -> GrantSetProposal {
        try staff.require(.admin)
        var draft = draft
        if draft.applicationID.isEmpty, let current = try await grantSets.current(logger: logger) {
            draft.applicationID = current.applicationID.description
        }
        let valid = try draft.validated()
        try checkCeiling(valid.grants)
        return try await proposals.propose(valid, by: staff, logger: logger)
    }

    public func approve(_ id: Int64, by staff: StaffMember, logger: Logger) async throws -> (GrantSetProposal, GrantSet) {
        try staff.require(.admin)
        guard let proposal = try await proposals.proposal(id: id, logger: logger) else { throw GrantSetProposalError.notFound(id) }
        if proposal.proposedByTokenID == staff.tokenID || proposal.proposedByName.lowercased() == staff.name.lowercased() {
            throw StaffPermissionError(
                required: .admin, role: staff.role,
                reason: "a grant set needs a second admin: the one who proposed it (\(proposal.proposedByName)) cannot approve it")
        }
        // The ceiling may have been lowered since the proposal was made.
        try checkCeiling(proposal.grants)
        let (decided, published) = try await proposals.decide(id: id, approve: true, reason: nil, by: staff.actor, logger: logger)
        guard let published else { throw GrantSetProposalError.notFound(id) }
        return (decided, published)
    }

    public func reject(_ id: Int64, reason: String?, by staff: StaffMember, logger: Logger) async throws -> GrantSetProposal {
        try staff.require(.admin)
        return try await proposals.decide(id: id, approve: false, reason: reason, by: staff.actor, logger: logger).0
    }

    public func recent(logger: Logger) async throws -> [GrantSetProposal] {
        try await proposals.recent(logger: logger)
    }

    public func proposal(_ id: Int64, logger: Logger) async throws -> GrantSetProposal? {
        try await proposals.proposal(id: id, logger: logger)
    }

    func checkCeiling(_ grants: [ApplicationGrant]) throws(GrantCeilingExceeded) {
        let excess = ceiling.excess(of: grants)
        guard excess.isEmpty else { throw GrantCeilingExceeded(excess: excess) }
    }
}

/// A grant set asked for more than `CPV_GRANT_CEILING` allows.
public struct GrantCeilingExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    public let excess: [GrantCeiling.Excess]

    public var description: String {
        "above the grant ceiling (CPV_GRANT_CEILING): " + excess.map(\.description).joined(separator: "; ")
    }
}
