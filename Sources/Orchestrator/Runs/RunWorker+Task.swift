import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// How long a task took and how many calls it made, for the concurrency limit.
struct TaskReport: Sendable {
    /// Seconds in hand, slot waits excluded; nil when the task did not run (or failed in-process).
    var serviceSeconds: Double?
    var calls = 0
}

extension RunWorker {
    /// Runs one claimed task to its end and records it. Never throws: whatever happens is written to
    /// the task, or (when even that fails) left to the lease to expire and the rescuer to put back.
    func work(_ task: ClaimedTask) async -> TaskReport {
        var logger = logger
        logger[metadataKey: "cpv.task"] = "\(task.id)"
        logger[metadataKey: "cpv.run"] = "\(task.runID.guidText)"
        let started = ContinuousClock.now
        var report = TaskReport()
        let completion: TaskCompletion
        let failure: FailureClass?
        do {
            // As long as the heartbeat keeps renewing a task; throttling and backoff waits included.
            let outcome = try await withDeadline(configuration.lease * 20) { [grantor, logger] in
                try await grantor.perform(task.action, customerID: task.customerID, actor: "system:run:\(task.runID)", logger: logger)
            }
            (completion, failure) = completionFor(outcome, task: task)
            report = TaskReport(serviceSeconds: ((ContinuousClock.now - started) - outcome.slotWait).seconds, calls: outcome.calls.count)
        } catch is CancellationError {
            // Forced shutdown: `run` releases the lease for another worker.
            return report
        } catch let error as ConsentGrantorError {
            switch error {
            case .customerRemoved, .partnerDisabled:
                completion = .skipped(code: error.code, error: error.description)
                failure = nil
            case .customerNotFound, .partnerNotFound, .noGrantSet, .unexpectedStep, .noReader:
                completion = .failed(code: error.code, error: error.description)
                failure = .internal
            }
        } catch {
            // The database or the process, not Partner Center: worth another attempt later.
            logger.warning("consent task failed in this process; trying again later", metadata: ["cpv.error": "\(error)"])
            completion = retryOrFail(task, code: "internal_error", error: String(describing: error))
            failure = .internal
        }
        metrics.tasksFinished(status: Self.status(completion), failure: failure).increment()
        do {
            let kept = try await completions.submit(
                TaskCompletionWrite(task: task, owner: configuration.owner, completion: completion, failure: failure), logger: logger)
            if !kept { logger.warning("task finished after its lease was rescued; the result stays with the new owner") }
        } catch {
            logger.error("could not record a task's end", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
        return report
    }

    /// The task's end, by the class of what ended it: a customer-level failure ends the task at
    /// once (another attempt would only spend budget), a transient one is tried again later (a
    /// 429 to the end gives its attempt back), a partner-level one blocks the partner's tasks.
    private func completionFor(_ outcome: ConsentGrantOutcome, task: ClaimedTask) -> (TaskCompletion, FailureClass?) {
        let code = outcome.errorCode ?? "unknown"
        switch outcome.result {
        case .succeeded:
            return (.succeeded, nil)
        case .blocked:
            return (.blocked(code: code, error: outcome.reason ?? "partner-level failure: \(code)"), .partner)
        case .failed:
            let error = outcome.reason ?? "consent \(outcome.state.rawValue) after \(outcome.calls.count) calls"
            if outcome.failure == .customer {
                return (.failed(code: code, error: error), .customer)
            }
            if let retryAfter = outcome.retryAfter {
                // A reconcile's Graph read was throttled: the tenant is read again no sooner than
                // its Retry-After. The attempt counts (unlike a consent 429, which the budget
                // answers for): a tenant Graph keeps throttling ends `unknown`, reported, not looped on.
                return (retryOrFail(task, code: code, error: error, atLeast: retryAfter), .transient)
            }
            if outcome.calls.last?.status == 429 {
                // Throttled to the end: the budget, not the customer, is the problem. The attempt is
                // given back so a long throttle cannot fail customers that never really failed.
                let seconds = configuration.backoff.delay(attempt: 1, random: Double.random(in: 0..<1))
                return (.throttled(after: .milliseconds(Int64(seconds * 1_000)), code: code, error: error), .transient)
            }
            return (retryOrFail(task, code: code, error: error), .transient)
        }
    }

    private func retryOrFail(_ task: ClaimedTask, code: String, error: String, atLeast: TimeInterval = 0) -> TaskCompletion {
        guard task.attempts < configuration.maxAttempts else { return .failed(code: code, error: error) }
        let seconds = max(atLeast + Double.random(in: 0..<0.5), configuration.backoff.delay(attempt: task.attempts, random: Double.random(in: 0..<1)))
        return .retry(after: .milliseconds(Int64(seconds * 1_000)), code: code, error: error)
    }

    /// The status label of a task's end, for metrics.
    static func status(_ completion: TaskCompletion) -> String {
        switch completion {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .blocked: "blocked"
        case .skipped: "skipped"
        case .retry: "retry"
        case .throttled: "throttled"
        }
    }
}
