import AdminServer
import ArgumentParser
import ConsentDomain
import Foundation
import Orchestrator

/// `cpv regrant --customer <tenant-id>`: DELETE then POST the consent in one customer tenant now.
/// Not registered yet: add `RegrantCommand.self` to `CPV.configuration.subcommands`.
struct RegrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regrant", abstract: "Re-grant the CPV application's consent in one customer tenant now.")

    @Option(help: "The customer's tenant id.")
    var customer: String

    @Option(help: "The partner id, when several partners list that tenant.")
    var partner: String?

    @Flag(help: "Check the grant through Graph afterwards.")
    var verify = false

    func validate() throws {
        guard TenantID(customer) != nil else { throw ValidationError("the customer must be a tenant id (GUID)") }
        if let partner, UUID(uuidString: partner) == nil { throw ValidationError("the partner id must be a UUID") }
    }

    func run() async throws {
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        guard let tenant = TenantID(customer) else { throw ValidationError("the customer must be a tenant id (GUID)") }
        let partnerID = partner.flatMap(UUID.init(uuidString:))
        let verify = verify
        let succeeded = try await AppServices.with(configuration: configuration, logger: logger) { services in
            let matches = try await services.customers.customers(tenantID: tenant, logger: logger)
                .filter { partnerID == nil || $0.partnerID == partnerID }
            guard let target = matches.first else { throw ExitFailure(.failure, "no customer with tenant id \(tenant)") }
            guard matches.count == 1 else {
                throw ExitFailure(.failure, "\(matches.count) partners list tenant \(tenant): choose one with --partner")
            }
            let outcome: ConsentGrantOutcome
            do {
                outcome = try await services.consentGrantor(verifyGrants: verify).regrant(customerID: target.id, actor: "cli:regrant", logger: logger)
            } catch let error as ConsentGrantorError {
                throw ExitFailure(.failure, error.description)
            }
            for call in outcome.calls {
                print("\(call.call.rawValue.uppercased()) \(call.status.map(String.init) ?? "no answer") \(call.errorCode ?? "") ms-requestid=\(call.requestID.uuidString.lowercased()) \(call.durationMilliseconds) ms")
            }
            print("\(outcome.result.rawValue): state \(outcome.state.rawValue)"
                + (outcome.grantSetVersion.map { ", grant set v\($0)" } ?? "") + (outcome.errorCode.map { ", error \($0)" } ?? ""))
            if let verification = outcome.verification {
                print(verification.verified ? "verified through Graph" : "verification failed: \(verification.differences.joined(separator: "; "))")
            }
            return outcome.result == .succeeded
        }
        if !succeeded { throw ExitCode(2) }
    }
}
