import Logging
import PostgresNIO

extension PostgresClient {
    /// The rows of a `SELECT ... AS key, count(*) AS count ... GROUP BY` as a dictionary: the shape
    /// of every "how many per status" question the store answers.
    func countsByKey(_ query: PostgresQuery, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await row in try await self.query(query, logger: logger) {
            let cells = NamedRow(row)
            counts[try cells("key")] = Int(try cells("count", as: Int64.self))
        }
        return counts
    }
}
