import ConsentDomain
import Foundation

/// The body of `POST /v1/customers/{c}/applicationconsents` (partner-center-api.md §6.1).
struct ConsentPayload: Encodable {
    let applicationId: ApplicationID
    let displayName: String
    let applicationGrants: [ApplicationGrant]

    init(_ grantSet: GrantSet) {
        applicationId = grantSet.applicationID
        displayName = grantSet.displayName
        applicationGrants = grantSet.grants
    }

    /// Sorted keys: the same grant set always yields the same bytes, in the request and the audit trail.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
