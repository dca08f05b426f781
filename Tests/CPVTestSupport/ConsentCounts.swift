import ConsentDomain
import ConsentStore
import Foundation
import Logging
import PostgresNIO

extension ConsentStateRepository {
    /// How many listed customers of a partner are in each state: what a test checks after a sync or
    /// a run (the product reads these counts from the partners' coverage counters instead).
    public func countsByState(partnerID: UUID, logger: Logger) async throws -> [ConsentState: Int] {
        let rows = try await client.query(
            """
            SELECT cc.state, count(*) AS customers FROM customer_consents cc JOIN customers c ON c.id = cc.customer_id
            WHERE c.partner_id = \(partnerID) AND c.removed_at IS NULL
            GROUP BY cc.state
            """, logger: logger)
        var counts: [ConsentState: Int] = [:]
        for try await row in rows {
            let cells = row.makeRandomAccess()
            if let state = ConsentState(rawValue: try cells["state"].decode(String.self)) {
                counts[state] = Int(try cells["customers"].decode(Int64.self))
            }
        }
        return counts
    }
}
