import ConsentStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// Reports (viewer): the index, each report as a table, and its CSV download. The stream-only
    /// `audit-export` is left to the API and `cpv report`: it has no sensible page.
    func registerReports(on console: RouterGroup<AppRequestContext>) {
        console.get("reports") { _, context in
            _ = try context.require(.viewer)
            return try pages.render("console/reports", ReportsPage(chrome: try chrome(context, "Reports", .reports)))
        }
        console.get("reports/{name}") { _, context in
            _ = try context.require(.viewer)
            var name = context.parameters.get("name") ?? ""
            let csv = name.hasSuffix(".csv")
            if csv { name.removeLast(4) }
            let table = try await report(name, context)
            if csv { return ReportRendering.csv(table) }
            let page = ReportPage(chrome: try chrome(context, ReportsPage.catalogue.first { $0.name == name }?.title ?? name, .reports), table: table)
            return try pages.render("console/report", page)
        }
    }

    private func report(_ name: String, _ context: AppRequestContext) async throws -> ReportTable {
        let database = services.database
        switch name {
        case "consent-coverage": return try await ConsentCoverageReport.run(client: database, logger: context.logger)
        case "missing-consent": return try await MissingConsentReport.run(client: database, logger: context.logger)
        case "failures": return try await FailuresReport.run(client: database, logger: context.logger)
        case "stale": return try await StaleReport.run(days: StaleReport.defaultDays, client: database, logger: context.logger)
        case "drift": return try await DriftReport.run(client: database, logger: context.logger)
        case "partner-token-health": return try await PartnerTokenHealthReport.run(client: database, logger: context.logger)
        default: throw ConsoleError.notFound("There is no report with this name. See the list of reports.")
        }
    }
}
