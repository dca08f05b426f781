import Foundation

/// What staff send to register a partner (`POST /partners`), before validation.
public struct PartnerRegistration: Sendable, Equatable, Codable {
    public var tenantId: String
    public var displayName: String
    public var cloud: String

    public init(tenantId: String, displayName: String, cloud: String) {
        self.tenantId = tenantId
        self.displayName = displayName
        self.cloud = cloud
    }

    /// Checks every field in order (tenant id, display name, cloud) and reports the first problem.
    public func validated() throws(DomainValidationError) -> NewPartner {
        guard let tenantID = TenantID(tenantId.trimmingCharacters(in: .whitespaces)) else {
            throw DomainValidationError(
                field: "tenantId", code: .notAGUID,
                message: "must be the partner's tenant id as a GUID, not a domain name")
        }
        let name = try DisplayName.validated(displayName, field: "displayName")
        guard let cloud = Cloud(rawValue: cloud) else {
            let allowed = Cloud.allCases.map(\.rawValue).joined(separator: ", ")
            throw DomainValidationError(
                field: "cloud", code: .unknownValue, message: "must be one of \(allowed)")
        }
        return NewPartner(tenantID: tenantID, displayName: name, cloud: cloud)
    }
}

/// A validated partner registration, ready to insert (status `pending_consent`).
public struct NewPartner: Sendable, Equatable {
    public let tenantID: TenantID
    public let displayName: String
    public let cloud: Cloud
}
