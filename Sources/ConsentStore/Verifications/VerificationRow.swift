import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// A customer's last Graph reading (`consent_verifications`, migration 0014), and the grant set
/// version it was compared with.
public struct StoredVerification: Sendable, Equatable {
    public var customerID: Int64
    public var verification: ConsentVerification
    public var grantSetVersion: Int?
    /// The last reading that could be made: an `unknown` keeps the one before it, so a report can
    /// say "unknown since …, verified before that".
    public var lastKnownState: VerificationState?
    public var lastKnownAt: Date?

    public init(
        customerID: Int64, verification: ConsentVerification, grantSetVersion: Int?, lastKnownState: VerificationState? = nil,
        lastKnownAt: Date? = nil
    ) {
        self.customerID = customerID
        self.verification = verification
        self.grantSetVersion = grantSetVersion
        self.lastKnownState = lastKnownState
        self.lastKnownAt = lastKnownAt
    }
}

/// A reading to store with a consent write (`ConsentWrite.verification`).
public struct VerificationWrite: Sendable, Equatable {
    public var verification: ConsentVerification
    public var grantSetVersion: Int?

    public init(verification: ConsentVerification, grantSetVersion: Int?) {
        self.verification = verification
        self.grantSetVersion = grantSetVersion
    }
}

/// The columns of `consent_verifications`, read by name, and the upsert that writes them.
enum VerificationRow {
    static let columnList = ColumnList(
        "customer_id", "state", "checked_at", "resources::text AS resources", "reason", "code", "service_principal_id", "grant_set_version",
        "last_known_state", "last_known_at")
    static let columns = columnList.sql

    static func stored(_ row: NamedRow) throws -> StoredVerification {
        let customerID: Int64 = try row("customer_id")
        guard let state = VerificationState(rawValue: try row("state")) else { throw ConsentStoreError.corruptRow(customerID: customerID) }
        let resources: [ResourceDifference]
        do {
            resources = try JSONDecoder().decode([ResourceDifference].self, from: Data(try row("resources", as: String.self).utf8))
        } catch {
            throw ConsentStoreError.corruptRow(customerID: customerID)
        }
        let lastKnown: String? = try row("last_known_state")
        return StoredVerification(
            customerID: customerID,
            verification: ConsentVerification(
                state: state, checkedAt: try row("checked_at"), resources: resources, reason: try row("reason"), code: try row("code"),
                servicePrincipalID: try row("service_principal_id")),
            grantSetVersion: try row("grant_set_version"), lastKnownState: lastKnown.flatMap(VerificationState.init(rawValue:)),
            lastKnownAt: try row("last_known_at"))
    }

    static func resourcesJSON(_ resources: [ResourceDifference]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(resources)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// `verified AS (INSERT ... ON CONFLICT ... RETURNING customer_id)` for `writes`: a CTE of
    /// the consent write's statement, so a reading and its audit events commit together.
    static func upsert(_ writes: [(Int64, VerificationWrite)], into statement: inout StatementBuilder) {
        statement.text(
            """
            verified AS (
                INSERT INTO consent_verifications AS cv (
                    customer_id, state, checked_at, resources, reason, code, service_principal_id, grant_set_version, last_known_state,
                    last_known_at)
                VALUES
            """)
        for (index, (customerID, write)) in writes.enumerated() {
            let reading = write.verification
            let known = reading.state == .unknown ? nil : reading.state.rawValue
            let customer = statement.bind(customerID), state = statement.bind(reading.state.rawValue)
            let checkedAt = statement.bind(reading.checkedAt), resources = statement.bind(resourcesJSON(reading.resources))
            let reason = statement.bind(reading.reason), code = statement.bind(reading.code)
            let principal = statement.bind(reading.servicePrincipalID)
            let version = statement.bind(write.grantSetVersion), lastKnown = statement.bind(known)
            statement.text(
                (index > 0 ? ",\n" : "")
                    + "(\(customer)::bigint, \(state)::text, \(checkedAt)::timestamptz, \(resources)::jsonb, \(reason)::text, "
                    + "\(code)::text, \(principal)::text, \(version)::integer, \(lastKnown)::text, "
                    + "CASE WHEN \(lastKnown)::text IS NOT NULL THEN \(checkedAt)::timestamptz END)")
        }
        statement.text(
            """

                ON CONFLICT (customer_id) DO UPDATE SET
                    state = EXCLUDED.state,
                    checked_at = EXCLUDED.checked_at,
                    resources = EXCLUDED.resources,
                    reason = EXCLUDED.reason,
                    code = EXCLUDED.code,
                    service_principal_id = EXCLUDED.service_principal_id,
                    grant_set_version = EXCLUDED.grant_set_version,
                    last_known_state = coalesce(EXCLUDED.last_known_state, cv.last_known_state),
                    last_known_at = coalesce(EXCLUDED.last_known_at, cv.last_known_at),
                    updated_at = now()
                RETURNING customer_id
            )
            """)
    }
}
