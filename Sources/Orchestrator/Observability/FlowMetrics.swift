import ConsentDomain
import Metrics
import Foundation

/// The metrics of flow control, runs and tokens, declared in one place (listed with their labels
/// in docs/operations.md). Labels are low-cardinality by rule: methods, outcome classes, reasons,
/// statuses; never a tenant, partner or run id. Built on a `MetricsFactory` passed in (Prometheus
/// in `cpv serve` and `cpv worker`, a no-op by default), so tests can read what was recorded.
public struct FlowMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    // MARK: consent calls

    /// `cpv_consent_calls_total{method, outcome}`: every DELETE and POST, by how it ended.
    func consentCalls(method: String, outcome: ConsentCallOutcome) -> Counter {
        Counter(label: "cpv_consent_calls_total", dimensions: [("method", method), ("outcome", outcome.rawValue)], factory: factory)
    }

    /// `cpv_consent_call_duration_seconds{method}`: request to answer, slot waits excluded.
    func consentLatency(method: String) -> Timer {
        Timer(label: "cpv_consent_call_duration_seconds", dimensions: [("method", method)], factory: factory)
    }

    /// `cpv_consent_throttled_total{method}`: 429s from Partner Center.
    func consentThrottled(method: String) -> Counter {
        Counter(label: "cpv_consent_throttled_total", dimensions: [("method", method)], factory: factory)
    }

    // MARK: the consent budget

    /// `cpv_consent_budget_rate`: the fleet's current budget (calls/s) as this process last saw it.
    var governorRate: Meter { Meter(label: "cpv_consent_budget_rate", factory: factory) }
    /// `cpv_consent_budget_ceiling`: the highest rate the budget ever runs at (calls/s).
    var governorCeiling: Meter { Meter(label: "cpv_consent_budget_ceiling", factory: factory) }
    /// `cpv_consent_budget_noise`: the share of 429s known not to follow our rate.
    var governorNoise: Meter { Meter(label: "cpv_consent_budget_noise_ratio", factory: factory) }

    /// `cpv_consent_budget_decisions_total{reason}`: the controller's decisions, one per window.
    func governorDecisions(_ reason: RateDecision.Reason) -> Counter {
        Counter(label: "cpv_consent_budget_decisions_total", dimensions: [("reason", reason.rawValue)], factory: factory)
    }

    /// `cpv_consent_slot_wait_seconds`: how long calls waited for their slot.
    var slotWait: Timer { Timer(label: "cpv_consent_slot_wait_seconds", factory: factory) }

    // MARK: run workers

    /// `cpv_run_tasks_in_flight`: tasks this process is working on.
    var tasksInFlight: Meter { Meter(label: "cpv_run_tasks_in_flight", factory: factory) }
    /// `cpv_run_concurrency_limit`: how many it may work on (adaptive, at most `CPV_WORKERS`).
    var concurrencyLimit: Meter { Meter(label: "cpv_run_concurrency_limit", factory: factory) }
    /// `cpv_run_concurrency_maximum`: `CPV_WORKERS`, the limit's upper bound.
    var concurrencyMaximum: Meter { Meter(label: "cpv_run_concurrency_maximum", factory: factory) }

    /// `cpv_run_tasks_finished_total{status, failure_class}`: tasks ended by this process.
    func tasksFinished(status: String, failure: FailureClass?) -> Counter {
        Counter(
            label: "cpv_run_tasks_finished_total", dimensions: [("status", status), ("failure_class", failure?.rawValue ?? "none")],
            factory: factory)
    }

    /// `cpv_run_tasks{status}`: tasks of open runs (queued, running, paused) by status, sampled.
    func openTasks(status: String) -> Meter {
        Meter(label: "cpv_run_tasks", dimensions: [("status", status)], factory: factory)
    }

    /// `cpv_runs{status}`: runs by status that are not over (queued, running, paused), sampled.
    func openRuns(status: String) -> Meter {
        Meter(label: "cpv_runs", dimensions: [("status", status)], factory: factory)
    }

    // MARK: tokens

    /// `cpv_token_redemptions_total{outcome}`: refresh-token redemptions at Entra ID, by outcome
    /// (`succeeded` or a `TokenFailureReason`).
    func tokenRedemptions(outcome: String) -> Counter {
        Counter(label: "cpv_token_redemptions_total", dimensions: [("outcome", outcome)], factory: factory)
    }

    /// `cpv_reconcile_readings_total{state}`: tenants read through Graph by a reconcile, by what the
    /// reading found (`verified`, `drifted`, `missing`, `unknown`).
    func reconciled(state: VerificationState) -> Counter {
        Counter(label: "cpv_reconcile_readings_total", dimensions: [("state", state.rawValue)], factory: factory)
    }
}

/// How a consent call ended, for metrics (the class, not the code).
enum ConsentCallOutcome: String, Sendable {
    case success
    /// 404 on DELETE (nothing to delete) or 409 on POST: answered, and handled as planned.
    case expected
    case throttled
    case clientError = "client_error"
    case serverError = "server_error"
    case timeout
    case unreachable

    init(status: Int?, call: ConsentCall, transportCode: String? = nil) {
        guard let status else {
            self = transportCode == ConsentEvent.timeoutErrorCode ? .timeout : .unreachable
            return
        }
        switch status {
        case 200..<300: self = .success
        case 404 where call == .delete, 409 where call == .post: self = .expected
        case 429: self = .throttled
        case 400..<500: self = .clientError
        default: self = .serverError
        }
    }
}
