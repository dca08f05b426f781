import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// `GET /console`: the dashboard (viewer).
    func registerDashboard(on console: RouterGroup<AppRequestContext>) {
        console.get("") { _, context in
            _ = try context.require(.viewer)
            let partners = try await partnerNames(context)
            let coverage = try await ConsentCoverageReport.run(client: services.database, logger: context.logger)
            // One more than shown tells the page whether to offer "all missing customers".
            let missing = try await customerQuery.list(
                CustomerFilter(state: ConsentState.missing.rawValue, removed: false, limit: DashboardPage.missingShown + 1), logger: context.logger)
            let live: Set<RunStatus> = [.queued, .running, .paused]
            var active: [(RunRecord, Int)] = []
            for run in try await services.runService.recent(limit: 50, logger: context.logger) where live.contains(run.status) {
                if let progress = try await services.runService.progress(id: run.id, logger: context.logger) {
                    active.append((progress.run, progress.finished))
                }
            }
            let page = DashboardPage(
                chrome: try chrome(context, "Dashboard", .dashboard), partners: partners, coverage: coverage, missing: missing,
                activeRuns: active, now: Date())
            return try pages.render("console/dashboard", page)
        }
    }
}
