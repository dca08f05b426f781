import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import MicrosoftCloud
import Orchestrator
import PartnerCenterSimulator
import ServiceLifecycle

extension GrantorHarness {
    var runs: RunRepository { RunRepository(client: database, audit: TestAudit.writer) }
    var queue: RunTaskQueue { RunTaskQueue(client: database, audit: TestAudit.writer) }

    /// A worker with short leases and polls, so tests move at the simulator's pace.
    func worker(
        owner: String, concurrency: Int = 8, lease: Duration = .seconds(5), gate: (any ConsentCallGate)? = nil,
        metrics: FlowMetrics = FlowMetrics()
    ) -> RunWorker {
        RunWorker(
            queue: queue,
            grantor: ConsentGrantor(
                partners: partners, customers: customers, consents: consents, tokens: tokens,
                partnerCenter: partnerCenter, reader: ConsentReader(tokens: tokens, graph: GraphClient(http: http)),
                configuration: .init(backoff: Self.fastBackoff, gate: gate), metrics: metrics),
            configuration: .init(
                owner: owner, concurrency: concurrency, lease: lease, heartbeat: .milliseconds(500),
                idlePoll: .milliseconds(50), maxAttempts: 5, backoff: Self.fastBackoff),
            metrics: metrics, logger: logger)
    }

    /// Runs `workers` until `done` holds or `timeout` passes, then shuts them down gracefully.
    /// Returns whether `done` held.
    func runWorkers(
        _ workers: [RunWorker], timeout: Duration = .seconds(90), until done: @escaping @Sendable () async throws -> Bool
    ) async throws -> Bool {
        let group = ServiceGroup(
            configuration: .init(services: workers.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self, returning: Bool.self) { tasks in
            tasks.addTask { try await group.run() }
            let reached = try await poll(timeout: timeout, done)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return reached
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    func poll(timeout: Duration, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    func runStatus(_ id: UUID) async throws -> RunStatus? {
        try await runs.run(id: id, logger: logger)?.status
    }

    /// Customers of the partner by consent state.
    func consentStates() async throws -> [String: Int] {
        let rows = try await database.query(
            """
            SELECT cc.state, count(*) FROM customer_consents cc JOIN customers c ON c.id = cc.customer_id
            WHERE c.partner_id = \(partner.id) GROUP BY cc.state
            """, logger: logger)
        var states: [String: Int] = [:]
        for try await (state, count) in rows.decode((String, Int64).self) { states[state] = Int(count) }
        return states
    }

    func auditCount(action: String, runID: UUID? = nil) async throws -> Int {
        let rows = try await database.query(
            "SELECT count(*) FROM audit_events WHERE action = \(action) AND (\(runID)::uuid IS NULL OR run_id = \(runID))",
            logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// The most consent calls that started within any `window` (from the simulator's call log).
    func peakConsentCalls(window: Double) -> Int {
        let starts = partnerCenterCalls().filter { $0.path.contains("applicationconsents") }.map(\.startedAt).sorted()
        var peak = 0
        var first = 0
        for (index, start) in starts.enumerated() {
            while start - starts[first] >= window { first += 1 }
            peak = max(peak, index - first + 1)
        }
        return peak
    }

    /// Customers (simulator ids) whose DELETE+POST pairs overlapped in time: each pair spans the
    /// DELETE's start to the POST's end, grouped by correlation id.
    func overlappingPairs() -> [String] {
        var pairs: [String: [(customer: String, start: Double, end: Double)]] = [:]
        var spans: [String: (customer: String, start: Double, end: Double)] = [:]
        for call in partnerCenterCalls() where call.path.contains("applicationconsents") {
            guard let correlation = call.msCorrelationId, let customer = call.customerId else { continue }
            if var span = spans[correlation] {
                span.start = min(span.start, call.startedAt)
                span.end = max(span.end, call.endedAt)
                spans[correlation] = span
            } else {
                spans[correlation] = (customer, call.startedAt, call.endedAt)
            }
        }
        for span in spans.values { pairs[span.customer, default: []].append(span) }
        return pairs.compactMap { customer, spans in
            let sorted = spans.sorted { $0.start < $1.start }
            let overlaps = zip(sorted, sorted.dropFirst()).contains { $0.end > $1.start }
            return overlaps ? customer : nil
        }
    }
}
