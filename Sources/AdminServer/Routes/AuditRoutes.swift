import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

/// `GET /api/v1/audit` (search, newest first by seq, keyset-paginated) and
/// `GET /api/v1/audit/verify` (walks the keyed hash chain, one walk at a time). Viewer.
/// Wiring: `AuditRoutes(audit: AuditQuery(client:), verification: services.auditVerification).register(on: api)`.
public struct AuditRoutes: Sendable {
    let audit: AuditQuery
    let verification: AuditVerification

    public init(audit: AuditQuery, verification: AuditVerification) {
        self.audit = audit
        self.verification = verification
    }

    struct VerifyDTO: Encodable {
        struct Break: Encodable {
            let seq: Int64
            let reason: String
        }
        let intact: Bool
        let checkedEvents: Int64
        let lastSeq: Int64
        let lastHash: String
        let unkeyedEvents: Int64
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
            let report = try await verification.verify(logger: context.logger)
            let elapsed = ContinuousClock.now - started
            return try JSONBody.response(
                VerifyDTO(
                    intact: report.isIntact, checkedEvents: report.checkedEvents, lastSeq: report.lastSeq, lastHash: report.lastHash,
                    unkeyedEvents: report.unkeyedEvents,
                    firstBreak: report.firstBreak.map { VerifyDTO.Break(seq: $0.seq, reason: $0.reason) },
                    durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))
        }
    }
}
