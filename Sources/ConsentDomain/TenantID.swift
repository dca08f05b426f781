import Foundation

/// An Entra ID tenant identifier: always a GUID, stored and compared in lower case.
public struct TenantID: GUIDIdentifier {
    public static let kind = "tenant id"
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
