import ConsentDomain
import ConsentStore
import Foundation

/// The run list.
struct RunsPage: Sendable {
    let chrome: ConsoleChrome
    let runs: [RunRow]
    let isEmpty: Bool

    init(chrome: ConsoleChrome, runs: [RunRecord], partners: [Partner]) {
        self.chrome = chrome
        let names = Dictionary(partners.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        self.runs = runs.map { RunRow($0, finished: nil, partnerNames: names) }
        isEmpty = runs.isEmpty
    }
}

/// The form that creates a run: scope, dry run, and for admins a revoke with its confirmation.
struct NewRunPage: Sendable {
    struct ScopeChoice: Sendable {
        let value: String
        let label: String
        let hint: String
        let checked: Bool
    }

    let chrome: ConsoleChrome
    let scopes: [ScopeChoice]
    let partners: [SelectOption]
    let states: [SelectOption]
    let dryRun: Bool
    /// "Reconcile (verify first)" is the chosen mode.
    let reconcile: Bool
    let error: String?

    init(
        chrome: ConsoleChrome, partners: [Partner], scope: String = "drift", dryRun: Bool = true, reconcile: Bool = false,
        error: String? = nil
    ) {
        self.chrome = chrome
        self.reconcile = reconcile
        scopes = [
            ("drift", "Customers not on the newest grant set", "The usual run after publishing a grant set."),
            ("states", "Customers in chosen states", "For example everything missing or failed."),
            ("partner", "One partner's customers", "After a partner's re-consent."),
            ("all", "Every customer", "Re-grants everyone, even those already granted."),
        ].map { ScopeChoice(value: $0.0, label: $0.1, hint: $0.2, checked: $0.0 == scope) }
        self.partners = partners.filter { $0.status != .disabled }.sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }
            .map { SelectOption(value: ConsoleFormat.id($0.id), label: $0.displayName, selected: false) }
        states = [ConsentState.missing, .failed, .blocked, .unknown, .revoked].map {
            SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == .missing || $0 == .failed)
        }
        self.dryRun = dryRun
        self.error = error
    }
}

/// The live part of a run's page: counts, rate, ETA, progress and failures by code. Rendered in
/// the page and alone as the fragment the page's script polls.
struct RunProgressView: Sendable {
    struct Count: Sendable {
        let status: Badge
        let count: String
    }
    struct Failure: Sendable {
        let code: String
        let count: String
        let href: String
    }

    let runID: String
    let status: Badge
    /// A dry run plans and calls nothing: the page shows what it would cover, not task progress.
    let isDryRun: Bool
    let isLive: Bool
    let percent: Int
    let finished: String
    let total: String
    let counts: [Count]
    let rate: String
    let eta: String
    let failures: [Failure]
    let hasFailures: Bool
    let canPause: Bool
    let canResume: Bool
    let canCancel: Bool
    let csrfToken: String

    init(_ progress: RunProgress, chrome: ConsoleChrome) {
        let run = progress.run
        runID = ConsoleFormat.id(run.id)
        status = Badge(run.status.rawValue)
        isDryRun = run.dryRun
        isLive = run.status == .queued || run.status == .running || run.status == .paused
        let finished = progress.finished
        percent = run.totalTasks > 0 ? min(100, finished * 100 / run.totalTasks) : (run.status == .completed ? 100 : 0)
        self.finished = ConsoleFormat.count(finished)
        total = ConsoleFormat.count(run.totalTasks)
        counts = RunTaskStatus.allCases.map { Count(status: Badge($0.rawValue), count: ConsoleFormat.count(progress.counts[$0.rawValue] ?? 0)) }
        rate = String(format: "%.1f/s", progress.ratePerSecond)
        // A paused run has no ETA: the last minute's rate says nothing about when someone resumes it.
        switch run.status {
        case .paused: eta = "paused"
        case .queued, .running: eta = progress.etaSeconds.map(ConsoleFormat.duration) ?? "—"
        case .completed, .cancelled: eta = "done"
        }
        failures = progress.failures.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            Failure(code: $0.key, count: ConsoleFormat.count($0.value), href: "/console/audit?run=\(ConsoleFormat.id(run.id))")
        }
        hasFailures = !progress.failures.isEmpty
        // A revoke run is steered by admins only (RunService): operators see no buttons for it.
        let canSteer = run.action == .revoke ? chrome.canAdmin : chrome.canOperate
        canPause = canSteer && (run.status == .queued || run.status == .running)
        canResume = canSteer && run.status == .paused && !run.dryRun
        canCancel = canSteer && isLive
        csrfToken = chrome.csrfToken
    }
}

/// One run: what it covers and its live progress.
struct RunPage: Sendable {
    let chrome: ConsoleChrome
    let run: RunRow
    let grantSetVersion: String
    let maxConcurrency: String
    let started: String
    let finishedAt: String
    let progress: RunProgressView

    init(chrome: ConsoleChrome, progress: RunProgress, partners: [Partner]) {
        self.chrome = chrome
        let names = Dictionary(partners.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        run = RunRow(progress.run, finished: progress.finished, partnerNames: names)
        grantSetVersion = progress.run.grantSetVersion.map { "v\($0)" } ?? "—"
        maxConcurrency = progress.run.maxConcurrency.map(String.init) ?? "default"
        started = ConsoleFormat.time(progress.run.startedAt)
        finishedAt = ConsoleFormat.time(progress.run.finishedAt)
        self.progress = RunProgressView(progress, chrome: chrome)
    }
}
