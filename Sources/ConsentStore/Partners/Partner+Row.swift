import ConsentDomain
import Foundation
import PostgresNIO

/// The columns of `partners` that make a `Partner`, in the order `PartnerRow.decode` reads them.
/// The sealed token is deliberately not among them: it is read only by `sealedToken(partnerID:)`.
enum PartnerRow {
    static let columns = """
        id, tenant_id, display_name, cloud, status, status_reason, consented_by, consented_at, token_version,
        last_redeemed_at, last_token_error, last_token_error_code, created_at
        """

    typealias Tuple = (UUID, UUID, String, String, String, String?, String?, Date?, Int64, Date?, String?, String?, Date)

    static func partner(_ row: Tuple) throws -> Partner {
        guard let cloud = Cloud(rawValue: row.3), let status = PartnerStatus(rawValue: row.4) else {
            throw PartnerStoreError.corruptRow(row.0)
        }
        return Partner(
            id: row.0, tenantID: TenantID(row.1), displayName: row.2, cloud: cloud, status: status,
            statusReason: row.5, consentedBy: row.6, consentedAt: row.7, tokenVersion: row.8, lastRedeemedAt: row.9,
            lastTokenError: row.10, lastTokenErrorCode: row.11, createdAt: row.12)
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
        case .notFound(let id): return "no partner \(id)"
        case .corruptRow(let id): return "partner \(id) has a value this version does not know"
        }
    }
}
