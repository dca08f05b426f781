import Foundation
import PartnerCenterSimulator
import Testing

/// `cpv simulator` as a real process: its flags reach the running simulator, over a world file's options.
@Suite struct SimulatorCommandTests {
    /// Waits until standard output names the simulator's URL, or the deadline passes.
    static func url(of process: RunningProcess, timeout: Duration = .seconds(60)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        let marker = "simulator listening on "
        while ContinuousClock.now < deadline {
            if let range = process.output().range(of: marker) {
                return String(process.output()[range.upperBound...].prefix { !$0.isNewline })
            }
            if !process.process.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let (status, body) = try await HTTPProbe.get(url)
        #expect(status == 200)
        return (try JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    @Test func flagsOverrideTheWorldFilesOptionsInTheRunningSimulator() async throws {
        // given: a world file asking for a token bucket and 123 customer reads a minute
        var options = SimulatorOptions()
        options.rateLimits.model = .tokenBucket
        options.rateLimits.customerRequestsPerMinute = 123
        let file = SimulatorWorldFile(world: .generated(seed: 1, partners: 1, customersPerPartner: 2), options: options)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpv-world-\(UUID().uuidString).json")
        try file.jsonData().write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        // when
        let process = try CLIProcess.start([
            "simulator", "--port", "0", "--world", path.path, "--log-level", "warning",
            "--limiter", "fixed-window", "--consent-limit", "7", "--no-count-rejected",
            "--latency", "lognormal:80:400", "--stall", "0.001:5000", "--other-consumer", "5",
            "--throttle-fraction", "0.1", "--throttle-retry-after", "3",
        ], environment: [:])
        defer { if process.process.isRunning { process.terminate() } }
        let base = try #require(await Self.url(of: process), "no URL: \(process.errors())")
        let limits = try await Self.json(base + "/_sim/rate-limits")
        let faults = try await Self.json(base + "/_sim/faults")
        process.terminate(signal: SIGTERM)
        await process.waitUntilExit(timeout: .seconds(30))
        // then
        #expect(limits["model"] as? String == "fixed-window")
        #expect(limits["applicationConsentsPerSecond"] as? Int == 7)
        #expect(limits["customerRequestsPerMinute"] as? Int == 123)
        #expect(limits["countRejected"] as? Bool == false)
        let latency = (faults["latency"] as? [String: Any])?["partnerCenter"] as? [String: Any]
        #expect(latency?["distribution"] as? String == "lognormal")
        #expect(latency?["p99Milliseconds"] as? Int == 400)
        #expect(latency?["stallMilliseconds"] as? Int == 5000)
        let throttle = (faults["throttles"] as? [String: Any])?["partnerCenter"] as? [String: Any]
        #expect(throttle?["fraction"] as? Double == 0.1)
        #expect(throttle?["retryAfterSeconds"] as? Int == 3)
        #expect((faults["otherConsumer"] as? [String: Any])?["callsPerSecond"] as? Double == 5)
        #expect(process.status == 0, "exit status \(process.status): \(process.errors())")
    }

    @Test func aMalformedLatencyIsAUsageError() async throws {
        // when
        let result = try await CLIProcess.run(["simulator", "--port", "0", "--latency", "gamma:1:2"], environment: [:])
        // then
        #expect(result.status == 64)
        #expect(result.standardError.contains("--latency takes fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P99"))
    }
}
