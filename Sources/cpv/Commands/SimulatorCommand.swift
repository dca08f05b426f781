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
            loaded = SimulatorWorld.generated(seed: seed, partners: partners, customersPerPartner: customers)
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
}
