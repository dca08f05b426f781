import Foundation
import PartnerCenterSimulator
import Testing

/// The settings' other two ways in: a world file's `"options"` and `cpv simulator`'s flag values.
@Suite struct SimulatorSettingsTests {
    static func worldFile(options: String) throws -> Data {
        let world = try JSONSerialization.jsonObject(with: SimulatorWorld.generated(seed: 1, partners: 1, customersPerPartner: 1).jsonData())
        var object = try #require(world as? [String: Any])
        object["options"] = try JSONSerialization.jsonObject(with: Data(options.utf8))
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func worldFileOptionsNameOnlyWhatTheyChange() throws {
        // given
        let data = try Self.worldFile(options: """
            {"rateLimits": {"model": "token-bucket", "countRejected": false},
             "callLogCapacity": 50,
             "faults": {"otherConsumer": {"callsPerSecond": 20},
                        "latency": {"partnerCenter": {"distribution": "lognormal", "medianMilliseconds": 80, "p99Milliseconds": 400}}}}
            """)
        // when
        let file = try SimulatorWorldFile.decode(data)
        // then
        let options = try #require(file.options)
        #expect(options.rateLimits == RateLimitOptions(model: .tokenBucket, countRejected: false))
        #expect(options.callLogCapacity == 50)
        #expect(options.paging == PagingOptions())
        #expect(options.faults.otherConsumer == OtherConsumerFault(callsPerSecond: 20))
        #expect(options.faults.latency[.partnerCenter] == .lognormal(medianMilliseconds: 80, p99Milliseconds: 400))
        #expect(file.world.partners.count == 1)
    }

    @Test func worldFileWithoutOptionsHasNone() throws {
        // given
        let data = try SimulatorWorld.generated(seed: 1, partners: 1, customersPerPartner: 1).jsonData()
        // when
        let file = try SimulatorWorldFile.decode(data)
        // then
        #expect(file.options == nil)
    }

    @Test func worldFileWritesItsOptionsBack() throws {
        // given
        var options = SimulatorOptions()
        options.rateLimits.model = .fixedWindow
        let file = SimulatorWorldFile(world: .generated(seed: 1, partners: 1, customersPerPartner: 1), options: options)
        // when
        let again = try SimulatorWorldFile.decode(file.jsonData())
        // then
        #expect(again == file)
    }

    @Test func flagsOverrideTheWorldFilesOptions() throws {
        // given: a file asking for a token bucket, 1 ms latency and sporadic throttles
        var options = SimulatorOptions()
        options.rateLimits.model = .tokenBucket
        options.faults.latency[.graph] = LatencyFault(fixedMilliseconds: 1)
        options.faults.throttles[.partnerCenter] = ThrottleFault(fraction: 0.5, retryAfterSeconds: 9)
        var flags = SimulatorOverrides()
        flags.model = .fixedWindow
        flags.consentLimit = 20
        flags.latency = try SimulatorSpec.latency("uniform:40:60")
        flags.stall = try SimulatorSpec.stall("0.001:5000")
        flags.otherConsumerCallsPerSecond = 5
        // when
        flags.apply(to: &options)
        // then
        #expect(options.rateLimits.model == .fixedWindow)
        #expect(options.rateLimits.applicationConsentsPerSecond == 20)
        #expect(options.rateLimits.countRejected == true)
        let expected = LatencyFault(fixedMilliseconds: 40, jitterMilliseconds: 20).withStalls(fraction: 0.001, milliseconds: 5_000)
        #expect(EndpointGroup.allCases.filter { $0 != .control }.allSatisfy { options.faults.latency[$0] == expected })
        #expect(options.faults.latency[.control] == nil)
        #expect(options.faults.throttles[.partnerCenter] == ThrottleFault(fraction: 0.5, retryAfterSeconds: 9))
        #expect(options.faults.otherConsumer == OtherConsumerFault(callsPerSecond: 5))
    }

    @Test func latencySpecsParse() throws {
        #expect(try SimulatorSpec.latency("fixed:40") == LatencyFault(fixedMilliseconds: 40))
        #expect(try SimulatorSpec.latency("uniform:40:60") == LatencyFault(fixedMilliseconds: 40, jitterMilliseconds: 20))
        #expect(try SimulatorSpec.latency("lognormal:80:400") == .lognormal(medianMilliseconds: 80, p99Milliseconds: 400))
    }

    @Test(arguments: ["", "fixed", "fixed:-1", "uniform:60:40", "lognormal:80", "lognormal:400:80", "gamma:1:2", "fixed:1:2"])
    func malformedLatencySpecsAreRefused(_ spec: String) {
        #expect(throws: SimulatorSpecError.self) { try SimulatorSpec.latency(spec) }
    }

    @Test func stormAndStallSpecsParse() throws {
        #expect(try SimulatorSpec.storm("0.5:60:10") == StormFault(fraction: 0.5, retryAfterSeconds: 10, seconds: 60))
        #expect(try SimulatorSpec.storm("1:30") == StormFault(fraction: 1, retryAfterSeconds: 1, seconds: 30))
        #expect(try SimulatorSpec.stall("0.001:5000") == SimulatorOverrides.Stall(fraction: 0.001, milliseconds: 5_000))
        #expect(throws: SimulatorSpecError.self) { try SimulatorSpec.storm("2:30") }
        #expect(throws: SimulatorSpecError.self) { try SimulatorSpec.stall("0.5") }
    }

    static func graphStatuses(_ options: SimulatorOptions) async throws -> [Int] {
        try await SimulatorHarness.run(options: options) { h in
            var statuses: [Int] = []
            for _ in 0..<20 { statuses.append(try await h.get("/v1.0/organization").status) }
            return statuses
        }
    }

    @Test func seededSimulatorsRepeatTheirFaults() async throws {
        // given
        var options = SimulatorOptions()
        options.randomSeed = 9
        options.faults.failures[.graph] = FailureFault(fraction: 0.5)
        // when
        let first = try await Self.graphStatuses(options)
        let second = try await Self.graphStatuses(options)
        // then
        #expect(first == second)
        #expect(Set(first).count == 2)
    }
}
