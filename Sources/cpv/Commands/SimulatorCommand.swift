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

    @Flag(name: .customLong("no-rate-limits"), help: "Switch Partner Center rate limits off.")
    var noRateLimits = false

    @Option(name: .customLong("latency-ms"), help: "Fixed latency added to every Microsoft endpoint, in milliseconds.")
    var latencyMs = 0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "notice"

    func run() async throws {
        var logger = Logger(label: "cpv.simulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let loaded: SimulatorWorld
        if let world {
            loaded = try SimulatorWorld.load(contentsOf: URL(fileURLWithPath: world))
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
        var options = SimulatorOptions()
        options.rateLimits.enabled = !noRateLimits
        if latencyMs > 0 {
            for group in EndpointGroup.allCases where group != .control {
                options.faults.latency[group] = LatencyFault(fixedMilliseconds: latencyMs)
            }
        }
        try await PartnerCenterSimulator.runStandalone(host: host, port: port, world: loaded, options: options, logger: logger) { url in
            // Unbuffered, so scripts reading a pipe see the URL at once.
            FileHandle.standardOutput.write(Data("simulator listening on \(url)\n".utf8))
        }
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
