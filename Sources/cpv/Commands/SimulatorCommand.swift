import ArgumentParser
import Foundation
import Logging
import PartnerCenterSimulator

/// `cpv simulator`: serves the Microsoft stand-in until SIGINT/SIGTERM.
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run the Entra ID / Partner Center / Graph / ARM / Key Vault simulator."
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one (the URL is printed on stdout).")
    var port = 8089

    @Option(help: "World JSON file (see docs/simulator.md); overrides --seed/--partners/--customers.")
    var world: String?

    @Option(help: "generated (--partners × --customers, numbered names) or demo (5 named partners, 2,000 customers).")
    var preset = "generated"

    @Option(name: .customLong("app-id"), help: "The CPV application's id in the generated world (default: derived from --seed).")
    var appId: String?

    @Option(name: .customLong("app-secret-file"), help: "File holding the application's client secret (default: sim-secret).")
    var appSecretFile: String?

    @Option(name: .customLong("redirect-uri"), help: "A redirect URI registered for the application; repeatable (default: http://localhost/callback).")
    var redirectURIs: [String] = []

    @Option(help: "Seed for the generated world; the same seed gives the same ids.")
    var seed: UInt64 = 1

    @Option(help: "Partners in the generated world.")
    var partners = 3

    @Option(help: "Customers per partner in the generated world.")
    var customers = 1000

    @Flag(name: .customLong("rate-limits"), inversion: .prefixedNo, help: "Partner Center rate limits on or off (default: on).")
    var rateLimits: Bool?

    @Option(help: "How the limits are enforced: sliding-window (default), fixed-window or token-bucket.")
    var limiter: String?

    @Option(name: .customLong("consent-limit"), help: "Consent calls (POST + DELETE) per second per application id (default 50; 0: none).")
    var consentLimit: Int?

    @Option(name: .customLong("customer-limit"), help: "Customer reads per minute per partner tenant (default 500; 0: none).")
    var customerLimit: Int?

    @Flag(name: .customLong("count-rejected"), inversion: .prefixedNo, help: "Whether refused calls still occupy the window (default: yes).")
    var countRejected: Bool?

    @Option(help: "Latency of every Microsoft endpoint: fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P99.")
    var latency: String?

    @Option(name: .customLong("latency-ms"), help: "Fixed latency of every Microsoft endpoint, in milliseconds (same as --latency fixed:MS).")
    var latencyMs: Int?

    @Option(help: "Rare stalls on every Microsoft endpoint: FRACTION:MS, e.g. 0.001:5000.")
    var stall: String?

    @Option(name: .customLong("throttle-fraction"), help: "Share of Partner Center calls answered 429 at random, whatever the load.")
    var throttleFraction: Double?

    @Option(name: .customLong("throttle-retry-after"), help: "Retry-After seconds of those 429s (default 1).")
    var throttleRetryAfter: Int?

    @Option(name: .customLong("failure-fraction"), help: "Share of Partner Center calls answered with a server error.")
    var failureFraction: Double?

    @Option(name: .customLong("failure-status"), help: "Status of those errors (default 503).")
    var failureStatus: Int?

    @Option(help: "A 429 storm on Partner Center from start: FRACTION:SECONDS[:RETRY_AFTER], e.g. 0.5:60:10.")
    var storm: String?

    @Option(name: .customLong("other-consumer"), help: "Consent calls per second another client of the application makes (counted in its limit).")
    var otherConsumer: Double?

    @Flag(name: .customLong("graph-limits"), inversion: .prefixedNo, help: "Graph throttling on or off (default: on).")
    var graphLimits: Bool?

    @Option(name: .customLong("graph-app-limit"), help: "Graph requests per 10 s per application id across tenants (default 130000; 0: none).")
    var graphAppLimit: Int?

    @Option(name: .customLong("graph-tenant-limit"), help: "Graph requests per 10 s per application id in one tenant (default 3500; 0: none).")
    var graphTenantLimit: Int?

    @Option(name: .customLong("graph-latency"), help: "Latency of Graph alone (replaces --latency there): fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P99.")
    var graphLatency: String?

    @Option(name: .customLong("graph-throttle-fraction"), help: "Share of Graph requests answered 429 at random, whatever the load.")
    var graphThrottleFraction: Double?

    @Option(name: .customLong("graph-throttle-retry-after"), help: "Retry-After seconds of those Graph 429s (default 1).")
    var graphThrottleRetryAfter: Int?

    @Option(name: .customLong("graph-failure-fraction"), help: "Share of Graph requests answered with a server error.")
    var graphFailureFraction: Double?

    @Option(name: .customLong("graph-failure-status"), help: "Status of those Graph errors (default 503).")
    var graphFailureStatus: Int?

    @Option(name: .customLong("graph-forbidden-tenant"), help: "A customer tenant whose Graph reads answer 403 Authorization_RequestDenied; repeatable.")
    var graphForbiddenTenants: [String] = []

    @Option(name: .customLong("call-log-capacity"), help: "Calls kept in the /_sim/calls ring (default 10000).")
    var callLogCapacity: Int?

    @Option(name: .customLong("random-seed"), help: "Seed for the dice of faults and latency, for repeatable runs (default: random).")
    var randomSeed: UInt64?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "notice"

    func run() async throws {
        var logger = Logger(label: "cpv.simulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        // Flags first: a typo should not wait for a large world file to load.
        let flags = try overrides()
        let loaded: SimulatorWorld
        var options = SimulatorOptions()
        if let world {
            let file = try SimulatorWorldFile.load(contentsOf: URL(fileURLWithPath: world))
            loaded = file.world
            options = file.options ?? options
        } else {
            let application = try customApplication()
            switch preset {
            case "generated":
                loaded = SimulatorWorld.generated(seed: seed, partners: partners, customersPerPartner: customers, application: application)
            case "demo":
                loaded = SimulatorWorld.demo(application: application ?? Self.defaultApplication(appId: "c15c0289-ec2d-4a91-a7ec-8e65a18debbe"))
            default:
                throw ValidationError("--preset must be generated or demo")
            }
        }
        flags.apply(to: &options)
        try await PartnerCenterSimulator.runStandalone(host: host, port: port, world: loaded, options: options, logger: logger) { url in
            // Unbuffered, so scripts reading a pipe see the URL at once.
            FileHandle.standardOutput.write(Data("simulator listening on \(url)\n".utf8))
        }
    }

    /// The flags given, as overrides of the world file's options.
    func overrides() throws -> SimulatorOverrides {
        var o = SimulatorOverrides()
        do {
            o.rateLimitsEnabled = rateLimits
            if let limiter {
                guard let model = RateLimitModel(rawValue: limiter) else {
                    throw ValidationError("--limiter must be one of \(RateLimitModel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                o.model = model
            }
            for (flag, value) in [("--consent-limit", consentLimit), ("--customer-limit", customerLimit), ("--call-log-capacity", callLogCapacity)] {
                if let value, value < 0 { throw ValidationError("\(flag) must be ≥ 0") }
            }
            o.consentLimit = consentLimit
            o.customerLimit = customerLimit
            o.countRejected = countRejected
            if latency != nil && latencyMs != nil { throw ValidationError("give --latency or --latency-ms, not both") }
            if let latency { o.latency = try SimulatorSpec.latency(latency) }
            if let latencyMs { o.latency = try SimulatorSpec.latency("fixed:\(latencyMs)") }
            if let stall { o.stall = try SimulatorSpec.stall(stall) }
            if let throttleFraction {
                o.throttle = ThrottleFault(fraction: try SimulatorSpec.fraction(throttleFraction, flag: "--throttle-fraction"),
                                           retryAfterSeconds: max(1, throttleRetryAfter ?? 1))
            } else if throttleRetryAfter != nil {
                throw ValidationError("--throttle-retry-after needs --throttle-fraction")
            }
            if let failureFraction {
                let status = failureStatus ?? 503
                guard (500...599).contains(status) else { throw ValidationError("--failure-status must be a 5xx status") }
                o.failure = FailureFault(fraction: try SimulatorSpec.fraction(failureFraction, flag: "--failure-fraction"), status: status)
            } else if failureStatus != nil {
                throw ValidationError("--failure-status needs --failure-fraction")
            }
            if let storm { o.storm = try SimulatorSpec.storm(storm) }
            if let otherConsumer {
                guard otherConsumer >= 0, otherConsumer <= 10_000 else { throw ValidationError("--other-consumer must be between 0 and 10000") }
                o.otherConsumerCallsPerSecond = otherConsumer
            }
            o.callLogCapacity = callLogCapacity
            o.randomSeed = randomSeed
            try graphOverrides(&o)
        } catch let error as SimulatorSpecError {
            throw ValidationError(error.description)
        }
        return o
    }

    /// The `--graph-…` flags, checked like their Partner Center counterparts.
    private func graphOverrides(_ o: inout SimulatorOverrides) throws {
        for (flag, value) in [("--graph-app-limit", graphAppLimit), ("--graph-tenant-limit", graphTenantLimit)] {
            if let value, value < 0 { throw ValidationError("\(flag) must be ≥ 0") }
        }
        o.graphLimitsEnabled = graphLimits
        o.graphApplicationLimit = graphAppLimit
        o.graphTenantLimit = graphTenantLimit
        if let graphLatency {
            // The parser's message names --latency; say which flag it was.
            do { o.graphLatency = try SimulatorSpec.latency(graphLatency) } catch let error as SimulatorSpecError {
                throw ValidationError("--graph-latency: \(error.description)")
            }
        }
        if let graphThrottleFraction {
            o.graphThrottle = ThrottleFault(fraction: try SimulatorSpec.fraction(graphThrottleFraction, flag: "--graph-throttle-fraction"),
                                            retryAfterSeconds: max(1, graphThrottleRetryAfter ?? 1))
        } else if graphThrottleRetryAfter != nil {
            throw ValidationError("--graph-throttle-retry-after needs --graph-throttle-fraction")
        }
        if let graphFailureFraction {
            let status = graphFailureStatus ?? 503
            guard (500...599).contains(status) else { throw ValidationError("--graph-failure-status must be a 5xx status") }
            o.graphFailure = FailureFault(fraction: try SimulatorSpec.fraction(graphFailureFraction, flag: "--graph-failure-fraction"), status: status)
        } else if graphFailureStatus != nil {
            throw ValidationError("--graph-failure-status needs --graph-failure-fraction")
        }
        for tenant in graphForbiddenTenants where UUID(uuidString: tenant) == nil {
            throw ValidationError("--graph-forbidden-tenant must be a tenant GUID, not '\(tenant)'")
        }
        if !graphForbiddenTenants.isEmpty { o.graphForbiddenTenants = graphForbiddenTenants }
    }

    /// The application from --app-id/--app-secret-file/--redirect-uri, or nil when none is given
    /// (the generator then derives one from the seed). The secret comes from a file so that it
    /// never shows in `ps`.
    private func customApplication() throws -> SimulatedApplication? {
        guard appId != nil || appSecretFile != nil || !redirectURIs.isEmpty else { return nil }
        guard let appId, UUID(uuidString: appId) != nil else {
            throw ValidationError("--app-id must be a GUID when --app-secret-file or --redirect-uri is given")
        }
        var application = Self.defaultApplication(appId: appId.lowercased())
        if let appSecretFile {
            let secret = try String(contentsOfFile: appSecretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw ValidationError("\(appSecretFile) is empty") }
            application.clientSecrets = [SimulatedClientSecret(value: secret)]
        }
        if !redirectURIs.isEmpty { application.redirectURIs = redirectURIs }
        return application
    }

    /// Registered as docs/onboarding.md advises: the groups claim with directory roles (`wids`).
    private static func defaultApplication(appId: String) -> SimulatedApplication {
        SimulatedApplication(
            appId: appId, displayName: "CPV Demo Control Panel",
            homeTenantId: "7d1f3c52-0b6e-4a8d-9c2f-5e4b3a2d1c0f",
            clientSecrets: [SimulatedClientSecret(value: "sim-secret")], redirectURIs: ["http://localhost/callback"],
            groupMembershipClaims: "DirectoryRole")
    }
}
