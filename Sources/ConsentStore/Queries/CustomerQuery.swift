import Foundation
import Logging
import PostgresNIO

/// Filters of `GET /api/v1/customers`; every field optional, all combined with AND.
public struct CustomerFilter: Sendable, Equatable {
    public var partnerID: UUID?
    /// A consent state (`unknown` also matches customers that have no consent row yet).
    public var state: String?
    public var grantSetVersion: Int?
    /// nil: both; true: only removed; false: only present.
    public var removed: Bool?
    /// Case-insensitive substring of company name or domain, or an exact tenant id.
    public var search: String?
    /// Keyset: only customers with an id greater than this.
    public var afterID: Int64?
    public var limit: Int
    /// Only customers whose consent is stale: last success older than this many days, or made
    /// with an older grant set than the newest (the `stale` report's definition).
    public var staleDays: Int?

    public init(
        partnerID: UUID? = nil, state: String? = nil, grantSetVersion: Int? = nil, removed: Bool? = nil,
        search: String? = nil, afterID: Int64? = nil, limit: Int = 100, staleDays: Int? = nil
    ) {
        self.staleDays = staleDays
        self.partnerID = partnerID
        self.state = state
        self.grantSetVersion = grantSetVersion
        self.removed = removed
        self.search = search
        self.afterID = afterID
        self.limit = limit
    }
}

/// A customer with its consent state, as the read API shows it.
public struct CustomerSummary: Sendable, Equatable {
    public let id: Int64
    public let partnerID: UUID
    public let tenantID: UUID
    public let companyName: String
    public let domain: String?
    public let relationship: String?
    public let firstSeenAt: Date
    public let lastSeenAt: Date
    public let removedAt: Date?
    public let consentState: String
    public let grantSetVersion: Int?
    public let lastAttemptAt: Date?
    public let lastSuccessAt: Date?
    public let lastErrorCode: String?
    public let lastError: String?
    public let attempts: Int
}

/// Read-only customer queries of the admin API, keyset-paginated by id (stable under inserts:
/// identity ids only grow, so a page boundary never moves).
public struct CustomerQuery: Sendable {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Up to `filter.limit` customers in id order. Each optional filter is written as
    /// `(param IS NULL OR column = param)` so the statement text stays one constant; the primary key
    /// drives the scan (`customers_pkey`), the filters prune it.
    public func list(_ filter: CustomerFilter, logger: Logger) async throws -> [CustomerSummary] {
        let pattern = filter.search.map { "%" + Self.escapeLike($0.lowercased()) + "%" }
        let tenant = filter.search.flatMap { UUID(uuidString: $0) }
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM customers c LEFT JOIN customer_consents cc ON cc.customer_id = c.id
            WHERE c.id > \(filter.afterID ?? 0)
              AND (\(filter.partnerID)::uuid IS NULL OR c.partner_id = \(filter.partnerID)::uuid)
              AND (\(filter.state)::text IS NULL OR COALESCE(cc.state, 'unknown') = \(filter.state)::text)
              AND (\(filter.grantSetVersion)::integer IS NULL OR cc.grant_set_version = \(filter.grantSetVersion)::integer)
              AND (\(filter.removed)::boolean IS NULL OR (c.removed_at IS NOT NULL) = \(filter.removed)::boolean)
              AND (\(pattern)::text IS NULL OR lower(c.company_name) LIKE \(pattern)::text
                   OR lower(COALESCE(c.domain, '')) LIKE \(pattern)::text OR c.tenant_id = \(tenant)::uuid)
              AND (\(filter.staleDays)::integer IS NULL OR (cc.last_success_at IS NOT NULL
                   AND (cc.last_success_at < now() - make_interval(days => \(filter.staleDays)::integer)
                        OR cc.grant_set_version < (SELECT max(version) FROM grant_sets))))
            ORDER BY c.id
            LIMIT \(filter.limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    public func customer(id: Int64, logger: Logger) async throws -> CustomerSummary? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM customers c LEFT JOIN customer_consents cc ON cc.customer_id = c.id
            WHERE c.id = \(id)
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    static let columns = """
        c.id, c.partner_id, c.tenant_id, c.company_name, c.domain, c.relationship, c.first_seen_at, c.last_seen_at,
        c.removed_at, COALESCE(cc.state, 'unknown') AS state, cc.grant_set_version, cc.last_attempt_at,
        cc.last_success_at, cc.last_error_code, cc.last_error, COALESCE(cc.attempts, 0) AS attempts
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [CustomerSummary] {
        var result: [CustomerSummary] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            result.append(
                CustomerSummary(
                    id: try r["id"].decode(Int64.self), partnerID: try r["partner_id"].decode(UUID.self),
                    tenantID: try r["tenant_id"].decode(UUID.self), companyName: try r["company_name"].decode(String.self),
                    domain: try r["domain"].decode(String?.self), relationship: try r["relationship"].decode(String?.self),
                    firstSeenAt: try r["first_seen_at"].decode(Date.self), lastSeenAt: try r["last_seen_at"].decode(Date.self),
                    removedAt: try r["removed_at"].decode(Date?.self), consentState: try r["state"].decode(String.self),
                    grantSetVersion: try r["grant_set_version"].decode(Int?.self),
                    lastAttemptAt: try r["last_attempt_at"].decode(Date?.self),
                    lastSuccessAt: try r["last_success_at"].decode(Date?.self),
                    lastErrorCode: try r["last_error_code"].decode(String?.self), lastError: try r["last_error"].decode(String?.self),
                    attempts: try r["attempts"].decode(Int.self)))
        }
        return result
    }

    /// `%` and `_` in a search are literal text, not wildcards.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
