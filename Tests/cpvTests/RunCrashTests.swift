import CPVTestSupport
import ConsentStore
import Foundation
import PartnerCenterSimulator
import PostgresNIO
import Testing

/// Issue #6's crash and fault tests: runs worked by real `cpv worker` processes against real
/// PostgreSQL and the simulator over loopback. Serialized: each one already loads both cores.
/// Timeouts are generous (a loaded 2-core CI box); the only timing assertions are the issue's own.
@Suite(.serialized) struct RunCrashTests {
    @Test func aWorkerKilledMidRunIsRescuedAndAnotherFinishesTheRun() async throws {
        try await RunFleet.run(customers: 2_000, options: RunFleet.options(latencyMilliseconds: 20)) { fleet in
            // given a run of 2,000 customers worked by one worker process
            let runID = try await fleet.createRun()
            let first = try fleet.startWorker()

            // when it is killed with SIGKILL mid-run, and another worker is started
            let midRun = await fleet.poll(timeout: .seconds(120)) { try await fleet.succeeded(runID) >= 200 }
            first.terminate(signal: SIGKILL)
            await first.waitUntilExit(timeout: .seconds(10))
            let second = try fleet.startWorker()
            let completed = await fleet.poll(timeout: .seconds(300)) { try await fleet.isCompleted(runID) }
            second.terminate()
            await second.waitUntilExit(timeout: .seconds(30))

            // then the run completes, every customer is granted, and the trail shows the abandoned tasks
            #expect(midRun, "the first worker made no progress: \(first.errors())")
            #expect(completed, "the run did not complete: \(second.errors())")
            #expect(try await fleet.consentStates() == ["granted": 2_000])
            let progress = try await fleet.runs.progress(id: runID, logger: fleet.logger)
            #expect(progress?.counts == ["succeeded": 2_000], "\(String(describing: progress))")
            #expect(try await fleet.auditCount(action: "task.abandoned", runID: runID) >= 1)
            #expect(second.status == 0, "the second worker did not stop cleanly: \(second.errors())")
        }
    }

    @Test func workersReconnectAfterPostgreSQLRestartsMidRun() async throws {
        let cluster = try await DedicatedPostgres.start()
        do {
            let url = try cluster.url
            try await withPostgresClient(url.clientConfiguration(), logger: TestDatabase.logger) { client in
                let files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
                try await MigrationRunner(files: files).migrate(client: client, logger: TestDatabase.logger)
                try await RunFleet.on(
                    database: client, url: url, customers: 400, options: RunFleet.options(latencyMilliseconds: 20)
                ) { fleet in
                    // given a worker process in the middle of a run
                    let runID = try await fleet.createRun()
                    let worker = try fleet.startWorker()
                    let midRun = await fleet.poll(timeout: .seconds(120)) { try await fleet.succeeded(runID) >= 50 }

                    // when PostgreSQL is stopped (connections cut) and started again two seconds later
                    try await cluster.stopServer()
                    try await Task.sleep(for: .seconds(2))
                    try await cluster.startServer()
                    let completed = await fleet.poll(timeout: .seconds(240)) { try await fleet.isCompleted(runID) }
                    let stillRunning = worker.process.isRunning
                    worker.terminate()
                    await worker.waitUntilExit(timeout: .seconds(30))

                    // then the same worker reconnects and finishes the run
                    #expect(midRun, "no progress before the restart: \(worker.errors())")
                    #expect(stillRunning, "the worker exited when the database went away: \(worker.errors())")
                    #expect(completed, "the run did not complete after the restart: \(worker.errors())")
                    #expect(try await fleet.consentStates() == ["granted": 400])
                    let progress = try await fleet.runs.progress(id: runID, logger: fleet.logger)
                    #expect(progress?.counts == ["succeeded": 400], "\(String(describing: progress))")
                }
            }
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    /// 10 % 503s and 10 % 429s injected on Partner Center, on top of its real 50 requests/s limit,
    /// with our budget set to twice that limit (100/s), so the governor has to find the real one.
    ///
    /// "Adapted" is measured from the call log: from 5 s after the first consent call, the 429s of
    /// the rate limiter (calls it answered 429, not injected ones: those come at 10 % whatever our
    /// pace) are under 8 % of the consent calls, where a governor that did not adapt gets about half.
    /// Not the issue's 2 %: that target is the benchmark's, at the default budget over 2,000
    /// customers; here the budget is twice the real limit and the run lasts about 30 s, so the one
    /// to three probes past the limit it takes to find it (10–25 refused calls each) weigh 0.6–4.4 %
    /// (13 runs on 2 cores, 2026-12-05).
    @Test func injectedFaultsStillCompleteTheRunAndTheGovernorFindsTheRealLimit() async throws {
        var options = RunFleet.options(rateLimits: true)
        options.faults.failures[.partnerCenter] = FailureFault(fraction: 0.1, status: 503)
        options.faults.throttles[.partnerCenter] = ThrottleFault(fraction: 0.1, retryAfterSeconds: 1)
        try await RunFleet.run(customers: 400, options: options) { fleet in
            // given
            let runID = try await fleet.createRun()

            // when
            let worker = try fleet.startWorker(["CPV_WORKERS": "16", "CPV_CONSENT_RATE_LIMIT": "100"])
            let completed = await fleet.poll(timeout: .seconds(300)) { try await fleet.isCompleted(runID) }
            worker.terminate()
            await worker.waitUntilExit(timeout: .seconds(30))

            // then
            #expect(completed, "the run did not complete: \(worker.errors())")
            #expect(try await fleet.consentStates() == ["granted": 400])
            let progress = try await fleet.runs.progress(id: runID, logger: fleet.logger)
            #expect(progress?.counts == ["succeeded": 400], "\(String(describing: progress))")
            let calls = fleet.consentCalls
            let start = try #require(calls.map(\.startedAt).min())
            let adapted = calls.filter { $0.startedAt >= start + 5 }
            let limiterThrottles = adapted.filter { $0.status == 429 && $0.injected == nil }.count
            let injected = calls.filter { $0.injected == "throttle" }.count
            #expect(injected > 0, "no 429 was injected: the test would prove nothing")
            #expect(adapted.count > 100)
            // Per second from the first call: calls / limiter 429s, for the failure message.
            let perSecond = Dictionary(grouping: calls) { Int($0.startedAt - start) }.sorted { $0.key < $1.key }
                .map { "\($0.key):\($0.value.count)/\($0.value.filter { $0.status == 429 && $0.injected == nil }.count)" }
            #expect(Double(limiterThrottles) < 0.08 * Double(adapted.count), "\(limiterThrottles) of \(adapted.count): \(perSecond.joined(separator: " "))")
            print("faults: \(calls.count) consent calls, \(injected) injected 429s, \(limiterThrottles) limiter 429s of \(adapted.count) after adapting")
        }
    }

    @Test func twoWorkerProcessesNeverWorkOneCustomerConcurrently() async throws {
        try await RunFleet.run(customers: 400, options: RunFleet.options(latencyMilliseconds: 10)) { fleet in
            // given
            let runID = try await fleet.createRun()

            // when two worker processes share the run
            let workers = [try fleet.startWorker(), try fleet.startWorker()]
            let completed = await fleet.poll(timeout: .seconds(240)) { try await fleet.isCompleted(runID) }
            for worker in workers { worker.terminate() }
            for worker in workers { await worker.waitUntilExit(timeout: .seconds(30)) }

            // then no customer's DELETE+POST pairs overlapped, and every customer was granted once
            #expect(completed, "the run did not complete: \(workers.map { $0.errors() })")
            #expect(fleet.overlappingPairs().isEmpty, "overlapping: \(fleet.overlappingPairs())")
            #expect(try await fleet.consentStates() == ["granted": 400])
            let posts = fleet.consentCalls.filter { $0.method == "POST" && $0.status < 300 }
            #expect(Set(posts.compactMap(\.customerId)).count == 400)
            #expect(posts.count == 400, "a customer was granted twice")
            for worker in workers { #expect(worker.status == 0, "\(worker.errors())") }
        }
    }

    @Test func maxConcurrencyHoldsAcrossTwoWorkerProcesses() async throws {
        try await RunFleet.run(customers: 60, options: RunFleet.options(latencyMilliseconds: 50)) { fleet in
            // given a run allowing 3 customers at once, and two workers with 8 slots each
            let runID = try await fleet.createRun(maxConcurrency: 3)

            // when
            let workers = [try fleet.startWorker(), try fleet.startWorker()]
            let completed = await fleet.poll(timeout: .seconds(240)) { try await fleet.isCompleted(runID) }
            for worker in workers { worker.terminate() }
            for worker in workers { await worker.waitUntilExit(timeout: .seconds(30)) }

            // then at no moment were more than 3 customers between their DELETE's start and POST's end
            #expect(completed, "the run did not complete: \(workers.map { $0.errors() })")
            #expect(try await fleet.consentStates() == ["granted": 60])
            let peak = fleet.peakConcurrentCustomers()
            #expect(peak <= 3, "peak \(peak)")
            #expect(peak >= 2, "the two workers never overlapped: the limit was not exercised")
        }
    }
}

extension RunFleet {
    /// The most customers in flight at once: spans from a customer's first consent call's start to
    /// its last call's end.
    func peakConcurrentCustomers() -> Int {
        var spans: [String: (start: Double, end: Double)] = [:]
        for call in consentCalls {
            guard let customer = call.customerId else { continue }
            let span = spans[customer] ?? (call.startedAt, call.endedAt)
            spans[customer] = (min(span.start, call.startedAt), max(span.end, call.endedAt))
        }
        // Ends sort before starts at the same instant: a pair that ends as another begins is not overlap.
        var events: [(time: Double, delta: Int)] = []
        for span in spans.values {
            events.append((span.start, 1))
            events.append((span.end, -1))
        }
        events.sort { left, right in left.time == right.time ? left.delta < right.delta : left.time < right.time }
        var current = 0
        var peak = 0
        for (_, delta) in events {
            current += delta
            peak = max(peak, current)
        }
        return peak
    }
}
