/// A staff member asked for something their role does not allow. Raised by the services that
/// own a rule which depends on the data (a revoke run needs admin to steer, a grant set needs a
/// second admin), mapped to 403 by the API and the console alike.
public struct StaffPermissionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let required: StaffRole
    public let role: StaffRole
    /// Why, when the role alone does not say it (e.g. "the proposer cannot approve their own grant set").
    public let reason: String?

    public init(required: StaffRole, role: StaffRole, reason: String? = nil) {
        self.required = required
        self.role = role
        self.reason = reason
    }

    public var description: String {
        reason ?? "this needs the \(required.rawValue) role; your token has \(role.rawValue)"
    }
}

extension StaffMember {
    /// Throws unless this member's role allows `required`.
    public func require(_ required: StaffRole) throws(StaffPermissionError) {
        guard role.allows(required) else { throw StaffPermissionError(required: required, role: role) }
    }
}
