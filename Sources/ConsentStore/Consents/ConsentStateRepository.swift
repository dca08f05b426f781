import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Each customer's observed consent (`customer_consents`). A state change and the audit events
/// that explain it are written in one transaction: the trail never claims what the row does not
/// show, and the row never shows what the trail does not explain.
public struct ConsentStateRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    static let columns = """
        customer_id, state, grant_set_version, last_attempt_at, last_success_at, last_error_code, last_error,
        attempts, last_correlation_id
        """
    typealias Tuple = (Int64, String, Int?, Date?, Date?, String?, String?, Int, UUID?)

    public func consent(customerID: Int64, logger: Logger) async throws -> CustomerConsentRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM customer_consents WHERE customer_id = \(customerID)", logger: logger)
        for try await row in rows.decode(Tuple.self) { return try Self.record(row) }
        return nil
    }

    /// Applies `change` (if any) to the customer's row and appends `audit` in order, atomically.
    /// A customer without a row gets one (rows normally come with the customer from sync).
    ///
    /// One statement, hence one round trip and one implicit transaction. The rows it locks are hot:
    /// the audit chain head (every event of every worker) and, through migration 0008's triggers,
    /// the partner's coverage counters. As a BEGIN/upsert/append.../COMMIT transaction those locks
    /// were held across four or five client round trips, and with 48 workers nearly all of them
    /// waited on each other (`pg_stat_activity` during ops/benchmarks/regrant-ceiling). Now they
    /// are held for the statement's execution and commit only.
    ///
    /// Order inside the statement: the upsert is a CTE the select reads, so it runs first; the
    /// `audit_append` calls are the select list, evaluated left to right, so events keep their order.
    public func apply(customerID: Int64, change: ConsentStateChange?, audit: [AuditRecord], logger: Logger) async throws {
        guard change != nil || !audit.isEmpty else { return }
        var statement = StatementBuilder()
        if let change {
            let customer = statement.bind(customerID), state = statement.bind(change.state.rawValue)
            let version = statement.bind(change.grantSetVersion), errorCode = statement.bind(change.errorCode)
            let error = statement.bind(change.error), attempt = statement.bind(change.startsAttempt ? 1 : 0)
            let startsAttempt = statement.bind(change.startsAttempt), succeeded = statement.bind(change.succeeded)
            let correlation = statement.bind(change.correlationID)
            statement.text(
                """
                WITH consent AS (
                    INSERT INTO customer_consents (customer_id, state, grant_set_version)
                    VALUES (\(customer), \(state), \(version)::integer)
                    ON CONFLICT (customer_id) DO UPDATE SET
                        state = EXCLUDED.state,
                        grant_set_version = EXCLUDED.grant_set_version,
                        last_error_code = \(errorCode)::text,
                        last_error = \(error)::text,
                        attempts = customer_consents.attempts + \(attempt)::integer,
                        last_attempt_at = CASE WHEN \(startsAttempt)::boolean THEN now() ELSE customer_consents.last_attempt_at END,
                        last_success_at = CASE WHEN \(succeeded)::boolean THEN now() ELSE customer_consents.last_success_at END,
                        last_correlation_id = coalesce(\(correlation)::uuid, customer_consents.last_correlation_id),
                        updated_at = now()
                    RETURNING customer_id
                )
                SELECT (SELECT count(*) FROM consent)
                """)
            for record in audit {
                statement.text(", ")
                AuditWriter.appendCall(record, to: &statement)
            }
        } else {
            statement.text("SELECT ")
            for (index, record) in audit.enumerated() {
                if index > 0 { statement.text(", ") }
                AuditWriter.appendCall(record, to: &statement)
            }
        }
        let rows = try await client.query(statement.query, logger: logger)
        for try await _ in rows {}
    }

    /// How many customers of a partner are in each state (listed customers only).
    public func countsByState(partnerID: UUID, logger: Logger) async throws -> [ConsentState: Int] {
        let rows = try await client.query(
            """
            SELECT cc.state, count(*) FROM customer_consents cc JOIN customers c ON c.id = cc.customer_id
            WHERE c.partner_id = \(partnerID) AND c.removed_at IS NULL
            GROUP BY cc.state
            """, logger: logger)
        var counts: [ConsentState: Int] = [:]
        for try await (state, count) in rows.decode((String, Int64).self) {
            if let state = ConsentState(rawValue: state) { counts[state] = Int(count) }
        }
        return counts
    }

    static func record(_ row: Tuple) throws -> CustomerConsentRecord {
        guard let state = ConsentState(rawValue: row.1) else { throw ConsentStoreError.corruptRow(customerID: row.0) }
        return CustomerConsentRecord(
            customerID: row.0, state: state, grantSetVersion: row.2, lastAttemptAt: row.3, lastSuccessAt: row.4,
            lastErrorCode: row.5, lastError: row.6, attempts: row.7, lastCorrelationID: row.8)
    }
}

/// Why a consent state operation failed in the store.
public enum ConsentStoreError: Error, Equatable, CustomStringConvertible {
    case corruptRow(customerID: Int64)

    public var description: String {
        switch self {
        case .corruptRow(let id): return "customer \(id) has a consent state this version does not know"
        }
    }
}
