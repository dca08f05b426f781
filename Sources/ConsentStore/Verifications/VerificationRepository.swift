import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Reads customers' last Graph readings (`consent_verifications`); they are written with the
/// consent writes that report them (`ConsentWrite.verification`).
public struct VerificationRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func verification(customerID: Int64, logger: Logger) async throws -> StoredVerification? {
        let rows = try await client.query(
            "SELECT \(unescaped: VerificationRow.columns) FROM consent_verifications WHERE customer_id = \(customerID)", logger: logger)
        for try await row in rows { return try VerificationRow.stored(NamedRow(row)) }
        return nil
    }

    /// How many customers each state covers, over every reading ever stored.
    public func counts(logger: Logger) async throws -> [VerificationState: Int] {
        let rows = try await client.query(
            "SELECT state AS key, count(*) AS count FROM consent_verifications GROUP BY state", logger: logger)
        var counts: [VerificationState: Int] = [:]
        for try await row in rows {
            let cells = NamedRow(row)
            if let state = VerificationState(rawValue: try cells("key")) { counts[state] = Int(try cells("count", as: Int64.self)) }
        }
        return counts
    }
}
