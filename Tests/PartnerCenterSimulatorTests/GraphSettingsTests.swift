import Foundation
import PartnerCenterSimulator
import Testing

/// The Graph settings' ways in besides the control API: faults JSON, a world file's `"options"`,
/// and `cpv simulator`'s flag values; older JSON without them still decodes.
@Suite struct GraphSettingsTests {
    @Test func oldFaultsJSONWithoutTheGraphFieldsStillDecodes() throws {
        // given: faults as written before Graph throttling and forbidden tenants existed
        let json = #"{"throttles": {"partnerCenter": {"fraction": 0.1, "retryAfterSeconds": 2}}, "forbiddenCustomers": ["x"], "rateLimitsEnabled": false}"#
        // when
        let faults = try JSONDecoder().decode(SimulatorFaults.self, from: Data(json.utf8))
        // then
        #expect(faults.graphForbiddenTenants.isEmpty)
        #expect(faults.throttles[.partnerCenter] == ThrottleFault(fraction: 0.1, retryAfterSeconds: 2))
        #expect(faults.rateLimitsEnabled == false)
    }

    @Test func oldOptionsJSONWithoutGraphLimitsKeepsTheirDefaults() throws {
        // when
        let options = try JSONDecoder().decode(SimulatorOptions.self, from: Data(#"{"rateLimits": {"model": "fixed-window"}}"#.utf8))
        // then
        #expect(options.graphLimits == GraphLimitOptions())
        #expect(options.graphLimits.applicationRequestsPerTenSeconds == 130_000)
        #expect(options.graphLimits.tenantRequestsPerTenSeconds == 3_500)
    }

    @Test func oldStatsJSONWithoutGraphCallsStillDecodes() throws {
        // when
        let stats = try JSONDecoder().decode(SimulatorStats.self, from: Data(#"{"since": 1, "consentCalls": {"arrivals": 3, "admitted": 3, "answered": {}, "throttledByLimiter": 0, "throttledSporadic": 0, "throttledByStorm": 0, "injectedFailures": 0, "hangs": 0, "otherConsumerCalls": 0, "peakPerSecond": 3, "peakAdmittedPerSecond": 3}}"#.utf8))
        // then
        #expect(stats.consentCalls.arrivals == 3)
        #expect(stats.graphCalls == GraphCallStats())
    }

    @Test func aWorldFileCarriesGraphLimitsAndGraphFaults() throws {
        // given
        let data = try SimulatorSettingsTests.worldFile(options: """
            {"graphLimits": {"tenantRequestsPerTenSeconds": 100, "countRejected": false},
             "faults": {"throttles": {"graph": {"fraction": 0.02, "retryAfterSeconds": 3}},
                        "failures": {"graph": {"fraction": 0.01, "status": 500}},
                        "graphForbiddenTenants": ["ABC"]}}
            """)
        // when
        let options = try #require(try SimulatorWorldFile.decode(data).options)
        // then
        #expect(options.graphLimits == GraphLimitOptions(tenantRequestsPerTenSeconds: 100, countRejected: false))
        #expect(options.faults.throttles[.graph] == ThrottleFault(fraction: 0.02, retryAfterSeconds: 3))
        #expect(options.faults.failures[.graph] == FailureFault(fraction: 0.01, status: 500))
        #expect(options.faults.graphForbiddenTenants == ["abc"])
    }

    @Test func graphFlagsOverrideTheWorldFilesOptions() throws {
        // given: a file with a Graph throttle and latency everywhere
        var options = SimulatorOptions()
        options.faults.throttles[.graph] = ThrottleFault(fraction: 0.5, retryAfterSeconds: 9)
        var flags = SimulatorOverrides()
        flags.latency = try SimulatorSpec.latency("fixed:40")
        flags.graphLatency = try SimulatorSpec.latency("lognormal:60:300")
        flags.graphThrottle = ThrottleFault(fraction: 0.1, retryAfterSeconds: 2)
        flags.graphFailure = FailureFault(fraction: 0.05, status: 502)
        flags.graphTenantLimit = 50
        flags.graphApplicationLimit = 0
        flags.graphLimitsEnabled = false
        flags.graphForbiddenTenants = ["DEF"]
        // when
        flags.apply(to: &options)
        // then
        #expect(options.faults.latency[.partnerCenter] == LatencyFault(fixedMilliseconds: 40))
        #expect(options.faults.latency[.graph] == .lognormal(medianMilliseconds: 60, p99Milliseconds: 300))
        #expect(options.faults.throttles[.graph] == ThrottleFault(fraction: 0.1, retryAfterSeconds: 2))
        #expect(options.faults.failures[.graph] == FailureFault(fraction: 0.05, status: 502))
        #expect(options.graphLimits == GraphLimitOptions(enabled: false, applicationRequestsPerTenSeconds: 0, tenantRequestsPerTenSeconds: 50))
        #expect(options.faults.graphForbiddenTenants == ["def"])
    }
}
