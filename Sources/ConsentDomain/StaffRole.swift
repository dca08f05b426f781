/// What a staff member's API token may do. Each role includes the ones before it.
public enum StaffRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads everything (dashboards, reports, audit).
    case viewer
    /// Also runs re-grants and syncs.
    case `operator`
    /// Also manages partners, grant sets, tokens, revoke runs and keys.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: return 0
        case .operator: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: StaffRole, rhs: StaffRole) -> Bool { lhs.rank < rhs.rank }

    public func allows(_ required: StaffRole) -> Bool { self >= required }
}

/// An authenticated staff member: the actor recorded in the audit trail.
public struct StaffMember: Sendable, Equatable {
    public let tokenID: Int64
    public let name: String
    public let role: StaffRole

    public init(tokenID: Int64, name: String, role: StaffRole) {
        self.tokenID = tokenID
        self.name = name
        self.role = role
    }

    /// How this member appears in the audit trail: the name people know, and the token id that
    /// tells two tokens of one name (over time) apart.
    public var actor: String { "staff:\(name)#\(tokenID)" }
}
