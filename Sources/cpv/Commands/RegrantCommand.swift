import Composition
import ArgumentParser
import ConsentDomain
import Foundation
import Orchestrator

/// `cpv regrant --customer <tenant-id>`: DELETE then POST the consent in one customer tenant now.
/// `cpv regrant --all|--partner ID|--state missing [--reconcile] [--dry-run] [--wait]`: create a
/// durable run (RegrantCommand+Run.swift) for the workers; `--reconcile` reads each tenant through
/// Graph first and re-grants only where it differs (with `--customer`, one tenant now).
struct RegrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regrant",
        abstract: "Re-grant the CPV application's consent in one customer tenant now, or create a run over many.")

    @Option(help: "The customer's tenant id (re-granted now, without a run).")
    var customer: String?

    @Option(help: "The partner id: with --customer, when several partners list that tenant; alone, a run over its customers.")
    var partner: String?

    @Flag(help: "Create a run over every customer of every partner.")
    var all = false

    @Option(help: "Create a run over the customers in this consent state (e.g. missing, failed).")
    var state: String?

    @Flag(help: "Plan and count the run without creating tasks.")
    var dryRun = false

    @Flag(help: "Show the run's progress until it ends.")
    var wait = false

    @Flag(help: "Check the grant through Graph afterwards.")
    var verify = false

    @Flag(help: "Verify first: read the tenant through Graph and re-grant only where it differs from the grant set.")
    var reconcile = false

    func validate() throws {
        if let partner, UUID(uuidString: partner) == nil { throw ValidationError("the partner id must be a UUID") }
        if let state, ConsentState(rawValue: state) == nil { throw ValidationError("unknown consent state \(state)") }
        guard let customer else {
            let scopes = [all, partner != nil, state != nil].filter { $0 }.count
            guard scopes == 1 else { throw ValidationError("give exactly one of --customer, --all, --partner, --state") }
            return
        }
        guard TenantID(customer) != nil else { throw ValidationError("the customer must be a tenant id (GUID)") }
        guard !all, state == nil, !dryRun, !wait else {
            throw ValidationError("--customer re-grants one customer now: --all, --state, --dry-run and --wait do not apply")
        }
    }

    func run() async throws {
        guard let customer else { return try await createRun() }
        let configuration = try Bootstrap.configuration(.server)
        let logger = Bootstrap.logger(configuration)
        guard let tenant = TenantID(customer) else { throw ValidationError("the customer must be a tenant id (GUID)") }
        let partnerID = partner.flatMap(UUID.init(uuidString:))
        let verify = verify
        let reconcile = reconcile
        let succeeded = try await AppServices.with(configuration: configuration, logger: logger) { services in
            let matches = try await services.customers.customers(tenantID: tenant, logger: logger)
                .filter { partnerID == nil || $0.partnerID == partnerID }
            guard let target = matches.first else { throw ExitFailure(.failure, "no customer with tenant id \(tenant)") }
            guard matches.count == 1 else {
                throw ExitFailure(.failure, "\(matches.count) partners list tenant \(tenant): choose one with --partner")
            }
            let outcome: ConsentGrantOutcome
            do {
                outcome = try await services.grantor(verifying: verify)
                    .perform(reconcile ? .reconcile : .grant, customerID: target.id, actor: "cli:regrant", logger: logger)
            } catch let error as ConsentGrantorError {
                throw ExitFailure(.failure, error.description)
            }
            if let reading = outcome.reconciled {
                print("read through Graph: \(reading.state.rawValue)" + (reading.reason.map { " (\($0))" } ?? ""))
                for line in reading.summary { print("  \(line)") }
            }
            for call in outcome.calls {
                print("\(call.call.rawValue.uppercased()) \(call.status.map(String.init) ?? "no answer") \(call.errorCode ?? "") ms-requestid=\(call.requestID.guidText) \(call.durationMilliseconds) ms")
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
