import ConsentDomain
import Foundation
import PostgresNIO

/// The columns of `partners` that make a `Partner`. The sealed token is deliberately not among
/// them: it is read only by `sealedToken(partnerID:)`.
enum PartnerRow {
    static let columnList = ColumnList(
        "id", "tenant_id", "display_name", "cloud", "status", "status_reason", "consented_by", "consented_at",
        "token_version", "last_redeemed_at", "last_token_error", "last_token_error_code", "created_at")
    static let columns = columnList.sql

    static func partner(_ row: NamedRow) throws -> Partner {
        let id: UUID = try row("id")
        guard let cloud = Cloud(rawValue: try row("cloud")), let status = PartnerStatus(rawValue: try row("status")) else {
            throw PartnerStoreError.corruptRow(id)
        }
        return Partner(
            id: id, tenantID: TenantID(try row("tenant_id", as: UUID.self)), displayName: try row("display_name"),
            cloud: cloud, status: status, statusReason: try row("status_reason"), consentedBy: try row("consented_by"),
            consentedAt: try row("consented_at"), tokenVersion: try row("token_version"),
            lastRedeemedAt: try row("last_redeemed_at"), lastTokenError: try row("last_token_error"),
            lastTokenErrorCode: try row("last_token_error_code"), createdAt: try row("created_at"))
    }
}

/// Why a partner operation was refused by the store.
public enum PartnerStoreError: Error, Equatable, CustomStringConvertible {
    case duplicateTenant(TenantID)
    case notFound(UUID)
    case corruptRow(UUID)

    public var description: String {
        switch self {
        case .duplicateTenant(let tenant): return "a partner with tenant id \(tenant) is already registered"
        case .notFound(let id): return "no partner \(id.guidText)"
        case .corruptRow(let id): return "partner \(id.guidText) has a value this version does not know"
        }
    }
}
