import AdminServer
import ArgumentParser
import Foundation

/// `cpv partners`: partner chores an operator runs on a server host.
struct PartnersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners", abstract: "Inspect and check partners.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live check: redeem the partner's token for Partner Center and list one page of customers.")

        @Argument(help: "The partner id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            guard let partnerID = UUID(uuidString: id) else { throw ValidationError("the partner id must be a UUID") }
            let configuration = try Bootstrap.configuration(.server)
            let logger = Bootstrap.logger(configuration)
            let json = json
            let ok = try await AppServices.with(configuration: configuration, logger: logger) { services in
                guard let partner = try await services.partners.partner(id: partnerID, logger: logger) else {
                    throw ExitFailure(.failure, "no partner \(partnerID.uuidString.lowercased())")
                }
                let report = await services.verifier.verify(partner, logger: logger)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                } else {
                    print("\(partner.displayName) (\(partner.tenantID)): \(report.ok ? "OK" : "FAILING")")
                    for step in report.steps {
                        print("  [\(step.ok ? "ok" : "FAIL")] \(step.name): \(step.detail)\(step.reason.map { " (\($0))" } ?? "")")
                    }
                }
                return report.ok
            }
            if !ok { throw ExitCode(2) }
        }
    }
}
