import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// `GET /console/audit`: search with filters and keyset paging; `verify=1` walks the hash
    /// chain (on request only: it reads every event, seconds at a million rows).
    func registerAudit(on console: RouterGroup<AppRequestContext>) {
        console.get("audit") { request, context in
            _ = try context.require(.viewer)
            let filter = try Self.auditFilter(request)
            let events = try await auditQuery.search(
                AuditFilter(
                    partnerID: filter.partnerID, customerID: filter.customerID, runID: filter.runID, action: filter.action,
                    beforeSeq: filter.beforeSeq, limit: AuditPage.pageSize + 1),
                logger: context.logger)
            let chain =
                request.uri.queryParameters.get("verify") == "1"
                ? try await services.auditVerification.verify(logger: context.logger) : nil
            let page = AuditPage(
                chrome: try chrome(context, "Audit", .audit), filter: filter, partners: try await partnerNames(context), events: events,
                chain: chain)
            return try pages.render("console/audit", page)
        }
    }

    static func auditFilter(_ request: Request) throws -> AuditListFilter {
        let query = request.uri.queryParameters
        var filter = AuditListFilter()
        if let raw = query.get("partner"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw ConsoleError.badRequest("The partner filter is not a partner id.") }
            filter.partnerID = id
        }
        if let raw = query.get("customer")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let id = Int64(raw), id > 0 else { throw ConsoleError.badRequest("The customer filter must be a customer number.") }
            filter.customerID = id
        }
        if let raw = query.get("run")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw ConsoleError.badRequest("The run filter must be a run id.") }
            filter.runID = id
        }
        if let raw = query.get("action")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard raw.count <= 128 else { throw ConsoleError.badRequest("The action filter is longer than 128 characters.") }
            filter.action = raw
        }
        if let raw = query.get("before") {
            guard let before = Int64(raw), before > 0 else { throw ConsoleError.badRequest("The page position is not valid.") }
            filter.beforeSeq = before
        }
        return filter
    }
}
