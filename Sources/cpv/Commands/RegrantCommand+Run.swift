import Composition
import ArgumentParser
import ConsentDomain
import ConsentStore
import Foundation

extension RegrantCommand {
    /// The run's scope from the flags `validate()` accepted.
    var runScope: RunScope? {
        if all { return .all }
        if let partner, let id = UUID(uuidString: partner) { return .partnerIDs([id]) }
        if let state, let consent = ConsentState(rawValue: state) { return .states([consent]) }
        return nil
    }

    /// Creates the run locally (the workers of `cpv serve` / `cpv worker` do the work) and, with
    /// `--wait`, prints a progress line every second until the run ends.
    func createRun() async throws {
        guard let scope = runScope else { throw ValidationError("give exactly one of --customer, --all, --partner, --state") }
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        let dryRun = dryRun
        let wait = wait
        let action: RunAction = reconcile ? .reconcile : .grant
        try await AppServices.with(configuration: configuration, logger: logger) { services in
            let plan: RunPlan
            do {
                plan = try await services.runService.create(
                    .init(scope: scope, action: action, dryRun: dryRun), confirmation: nil, actor: "cli:regrant", logger: logger)
            } catch let error as RunStoreError {
                throw ExitFailure(.failure, error.description)
            }
            let kind = (dryRun ? "dry run" : "run") + (action == .reconcile ? " (reconcile)" : "")
            print("\(kind) \(plan.run.id.guidText): \(plan.planned) customers (\(plan.missing) missing first, \(plan.blocked) blocked)")
            guard wait, !dryRun else { return }
            while true {
                guard let progress = try await services.runService.progress(id: plan.run.id, logger: logger) else { return }
                print(Self.progressLine(progress))
                if progress.run.status.isTerminal { return }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// `[#####-----] 120/400 running 24.5/s ETA 11s failures: 60003=2`
    static func progressLine(_ progress: RunProgress) -> String {
        let total = max(progress.run.totalTasks, 1)
        let done = progress.finished
        let filled = min(20, done * 20 / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
        let eta = progress.etaSeconds.map { " ETA \(Int($0.rounded()))s" } ?? ""
        let failures = progress.failures.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "[\(bar)] \(done)/\(progress.run.totalTasks) \(progress.run.status.rawValue) "
            + String(format: "%.1f/s", progress.ratePerSecond) + eta + (failures.isEmpty ? "" : " failures: \(failures)")
    }
}
