import ConsentDomain
import ConsentStore
import Foundation
import Logging

extension RunWorker {
    /// Runs one claimed task to its end and records it. Never throws: whatever happens is written to
    /// the task, or (when even that fails) left to the lease to expire and the rescuer to put back.
    func work(_ task: ClaimedTask) async {
        var logger = logger
        logger[metadataKey: "cpv.task"] = "\(task.id)"
        logger[metadataKey: "cpv.run"] = "\(task.runID)"
        let completion: TaskCompletion
        do {
            // As long as the heartbeat keeps renewing a task; throttling and backoff waits included.
            let outcome = try await withDeadline(configuration.lease * 20) { [grantor, logger] in
                try await grantor.perform(task.action, customerID: task.customerID, actor: "system:run:\(task.runID)", logger: logger)
            }
            completion = completionFor(outcome, task: task)
        } catch is CancellationError {
            // Forced shutdown: `run` releases the lease for another worker.
            return
        } catch let error as ConsentGrantorError {
            switch error {
            case .customerRemoved, .partnerDisabled: completion = .skipped(code: error.code, error: error.description)
            case .customerNotFound, .partnerNotFound, .noGrantSet, .unexpectedStep:
                completion = .failed(code: error.code, error: error.description)
            }
        } catch {
            // The database or the process, not Partner Center: worth another attempt later.
            logger.warning("consent task failed in this process; trying again later", metadata: ["cpv.error": "\(error)"])
            completion = retryOrFail(task, code: "internal_error", error: String(describing: error))
        }
        do {
            let kept = try await completions.submit(
                TaskCompletionWrite(task: task, owner: configuration.owner, completion: completion), logger: logger)
            if !kept { logger.warning("task finished after its lease was rescued; the result stays with the new owner") }
        } catch {
            logger.error("could not record a task's end", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }

    private func completionFor(_ outcome: ConsentGrantOutcome, task: ClaimedTask) -> TaskCompletion {
        let code = outcome.errorCode ?? "unknown"
        switch outcome.result {
        case .succeeded: return .succeeded
        case .blocked: return .blocked(code: code, error: "partner-level failure: \(code)")
        case .failed:
            let error = "consent \(outcome.state.rawValue) after \(outcome.calls.count) calls"
            if outcome.calls.last?.status == 429 {
                // Throttled to the end: the budget, not the customer, is the problem. The attempt is
                // given back so a long throttle cannot fail customers that never really failed.
                let seconds = configuration.backoff.delay(attempt: 1, random: Double.random(in: 0..<1))
                return .throttled(after: .milliseconds(Int64(seconds * 1_000)), code: code, error: error)
            }
            return retryOrFail(task, code: code, error: error)
        }
    }

    private func retryOrFail(_ task: ClaimedTask, code: String, error: String) -> TaskCompletion {
        guard task.attempts < configuration.maxAttempts else { return .failed(code: code, error: error) }
        let seconds = configuration.backoff.delay(attempt: task.attempts, random: Double.random(in: 0..<1))
        return .retry(after: .milliseconds(Int64(seconds * 1_000)), code: code, error: error)
    }
}
