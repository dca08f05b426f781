import ConsentStore
import Foundation
import Hummingbird
import PostgresNIO

/// `GET /api/v1/audit` (search, newest first by seq, keyset-paginated) and
/// `GET /api/v1/audit/verify` (walks the hash chain). Viewer.
/// Wiring: `AuditRoutes(audit: AuditQuery(client:), database: services.database).register(on: api)`.
public struct AuditRoutes: Sendable {
    let audit: AuditQuery
    let database: PostgresClient

    public init(audit: AuditQuery, database: PostgresClient) {
        self.audit = audit
        self.database = database
    }

    struct VerifyDTO: Encodable {
        struct Break: Encodable {
            let seq: Int64
            let reason: String
        }
        let intact: Bool
        let checkedEvents: Int64
        let lastSeq: Int64
        let firstBreak: Break?
        let durationMs: Int
    }

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/audit") { request, context in
            _ = try context.require(.viewer)
            let query = QueryParameters(request)
            let limit = try query.limit()
            let filter = AuditFilter(
                partnerID: try query.uuid("partnerId"), customerID: try query.int("customerId", in: 1...Int.max).map(Int64.init),
                runID: try query.uuid("runId"), action: try query.string("action", maxLength: 128), since: try query.date("since"),
                until: try query.date("until"), beforeSeq: try PageCursor.decode(query.string("cursor"), kind: "a"), limit: limit)
            let events = try await audit.search(filter, logger: context.logger)
            let next = events.count == limit ? events.last.map { PageCursor.encode(kind: "a", position: $0.seq) } : nil
            return try JSONBody.response(PageDTO(items: events.map(AuditEventDTO.init), nextCursor: next))
        }
        api.get("/audit/verify") { _, context in
            _ = try context.require(.viewer)
            let started = ContinuousClock.now
            let report = try await AuditChainVerifier.verify(client: database, logger: context.logger)
            let elapsed = ContinuousClock.now - started
            return try JSONBody.response(
                VerifyDTO(
                    intact: report.isIntact, checkedEvents: report.checkedEvents, lastSeq: report.lastSeq,
                    firstBreak: report.firstBreak.map { VerifyDTO.Break(seq: $0.seq, reason: $0.reason) },
                    durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))
        }
    }
}
