import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Each customer's observed consent (`customer_consents`). A state change and the audit events
/// that explain it are written in one transaction: the trail never claims what the row does not
/// show, and the row never shows what the trail does not explain.
public struct ConsentStateRepository: Sendable {
    public let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    static let columnList = ColumnList(
        "customer_id", "state", "grant_set_version", "last_attempt_at", "last_success_at", "last_error_code",
        "last_error", "attempts", "last_correlation_id")
    static let columns = columnList.sql

    public func consent(customerID: Int64, logger: Logger) async throws -> CustomerConsentRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM customer_consents WHERE customer_id = \(customerID)", logger: logger)
        for try await row in rows { return try Self.record(NamedRow(row)) }
        return nil
    }

    /// Applies `change` (if any) to the customer's row and appends `audit` in order, atomically.
    /// A customer without a row gets one (rows normally come with the customer from sync).
    public func apply(customerID: Int64, change: ConsentStateChange?, audit: [AuditRecord], logger: Logger) async throws {
        try await apply([ConsentWrite(customerID: customerID, change: change, audit: audit)], logger: logger)
    }

    /// Applies several customers' writes in one transaction: all of them or none. Each customer at
    /// most once (`duplicateCustomer` otherwise: an upsert cannot change one row twice).
    ///
    /// The rows it locks are hot: the audit chain head (every event of every worker) and, through
    /// migration 0008's statement triggers, the partners' coverage counters. They are taken once
    /// for the whole batch (see `ConsentWriteBatcher`), and the head only for the two statements
    /// before the commit:
    ///
    /// 1. `BEGIN`;
    /// 2. one statement: the upsert (one `INSERT ... ON CONFLICT` for every change, so the counter
    ///    triggers fire once) as a CTE, then the chain head locked and read (`AuditWriter.lockHead`:
    ///    counters first, head last, the order of every writer);
    /// 3. one statement: every event, hashed here with the audit key, inserted in the order of
    ///    `writes` (and, within a write, of its records), and the head moved;
    /// 4. `COMMIT`.
    ///
    /// Four round trips per batch whatever its size; a batch without events is one statement.
    /// The events are made canonical and encoded before step 1, so the lock covers HMACs only.
    public func apply(_ writes: [ConsentWrite], logger: Logger) async throws {
        let changes = writes.compactMap { write in write.change.map { (write.customerID, $0) } }
        let readings = writes.compactMap { write in write.verification.map { (write.customerID, $0) } }
        let records = writes.flatMap(\.audit)
        guard !changes.isEmpty || !records.isEmpty || !readings.isEmpty else { return }
        if Set(changes.map(\.0)).count < changes.count || Set(readings.map(\.0)).count < readings.count {
            throw ConsentStoreError.duplicateCustomer
        }
        var upsert = StatementBuilder()
        var ctes: [String] = []
        if !changes.isEmpty {
            upsert.text("WITH ")
            Self.upsert(changes, into: &upsert)
            ctes.append("consent")
        }
        if !readings.isEmpty {
            upsert.text(ctes.isEmpty ? "WITH " : ",\n")
            VerificationRow.upsert(readings, into: &upsert)
            ctes.append("verified")
        }
        upsert.text("\n")
        guard !records.isEmpty else {
            upsert.text("SELECT " + ctes.map { "(SELECT count(*) FROM \($0))" }.joined(separator: " + "))
            for try await _ in try await client.query(upsert.query, logger: logger) {}
            return
        }
        let prepared = try audit.prepare(records)
        AuditWriter.lockHead(into: &upsert, afterCTEs: ctes)
        let lock = upsert.query
        try await client.inTransaction(logger: logger) { connection in
            let head = try await AuditWriter.head(try await connection.query(lock, logger: logger))
            var insert = StatementBuilder()
            _ = audit.chain(prepared, after: head, into: &insert)
            for try await _ in try await connection.query(insert.query, logger: logger) {}
        }
    }

    /// `consent AS (INSERT ... ON CONFLICT ... RETURNING customer_id)` for `changes`.
    private static func upsert(_ changes: [(Int64, ConsentStateChange)], into statement: inout StatementBuilder) {
        statement.text(
            """
            consent AS (
                INSERT INTO customer_consents AS cc (
                    customer_id, state, grant_set_version, last_error_code, last_error, attempts,
                    last_attempt_at, last_success_at, last_correlation_id)
                VALUES
            """)
        for (index, (customerID, change)) in changes.enumerated() {
            let customer = statement.bind(customerID), state = statement.bind(change.state.rawValue)
            let version = statement.bind(change.grantSetVersion), errorCode = statement.bind(change.errorCode)
            let error = statement.bind(change.error), attempt = statement.bind(change.startsAttempt ? 1 : 0)
            let startsAttempt = statement.bind(change.startsAttempt), succeeded = statement.bind(change.succeeded)
            let correlation = statement.bind(change.correlationID)
            statement.text(
                (index > 0 ? ",\n" : "")
                    + "(\(customer)::bigint, \(state)::text, \(version)::integer, \(errorCode)::text, \(error)::text, "
                    + "\(attempt)::integer, CASE WHEN \(startsAttempt)::boolean THEN now() END, "
                    + "CASE WHEN \(succeeded)::boolean THEN now() END, \(correlation)::uuid)")
        }
        // The values of a new row double as the change for an existing one: the attempt
        // increment, and timestamps that are NULL when the change does not set them.
        statement.text(
            """

                ON CONFLICT (customer_id) DO UPDATE SET
                    state = EXCLUDED.state,
                    grant_set_version = EXCLUDED.grant_set_version,
                    last_error_code = EXCLUDED.last_error_code,
                    last_error = EXCLUDED.last_error,
                    attempts = cc.attempts + EXCLUDED.attempts,
                    last_attempt_at = coalesce(EXCLUDED.last_attempt_at, cc.last_attempt_at),
                    last_success_at = coalesce(EXCLUDED.last_success_at, cc.last_success_at),
                    last_correlation_id = coalesce(EXCLUDED.last_correlation_id, cc.last_correlation_id),
                    updated_at = now()
                RETURNING customer_id
            )
            """)
    }

    static func record(_ row: NamedRow) throws -> CustomerConsentRecord {
        let customerID: Int64 = try row("customer_id")
        guard let state = ConsentState(rawValue: try row("state")) else { throw ConsentStoreError.corruptRow(customerID: customerID) }
        return CustomerConsentRecord(
            customerID: customerID, state: state, grantSetVersion: try row("grant_set_version"),
            lastAttemptAt: try row("last_attempt_at"), lastSuccessAt: try row("last_success_at"),
            lastErrorCode: try row("last_error_code"), lastError: try row("last_error"), attempts: try row("attempts"),
            lastCorrelationID: try row("last_correlation_id"))
    }
}

/// Why a consent state operation failed in the store.
public enum ConsentStoreError: Error, Equatable, CustomStringConvertible {
    case corruptRow(customerID: Int64)
    case duplicateCustomer

    public var description: String {
        switch self {
        case .corruptRow(let id): return "customer \(id) has a consent state this version does not know"
        case .duplicateCustomer: return "one batch of consent writes named a customer twice"
        }
    }
}
