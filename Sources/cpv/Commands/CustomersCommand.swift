import ArgumentParser
import Foundation

/// `cpv customers`: customers of a running server, through its admin API.
struct CustomersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "List and show customers; re-grant one now.",
        subcommands: [List.self, Show.self, Regrant.self])

    static let columns: [APIOutput.Column] = [
        .init("id"), .init("company", "companyName"), .init("tenant", "tenantId"), .init("partner", "partnerId"),
        .init("state", "consent.state"), .init("version", "consent.grantSetVersion"), .init("error", "consent.lastErrorCode"),
        .init("removed", "removedAt"),
    ]

    static func customerPath(_ id: String) throws -> String {
        guard let number = Int64(id), number > 0 else { throw ValidationError("the customer id must be a positive integer") }
        return "/api/v1/customers/\(number)"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List customers in id order, one page (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this partner's (id).") var partner: String?
        @Option(help: "Only this consent state: unknown, granting, granted, failed, missing, blocked, revoked.") var state: String?
        @Option(help: "Only consents at this grant set version.") var grantSetVersion: Int?
        @Option(help: "true: only removed customers; false: only present ones.") var removed: Bool?
        @Option(help: "Company name or domain substring, or a tenant id.") var q: String?
        @Option(help: "Page size, 1-500 (default 100).") var limit: Int?
        @Option(help: "The cursor printed under the previous page.") var cursor: String?

        func run() async throws {
            let path = APIClient.path(
                "/api/v1/customers",
                [
                    ("partnerId", partner), ("state", state), ("grantSetVersion", grantSetVersion.map(String.init)),
                    ("removed", removed.map(String.init)), ("q", q), ("limit", limit.map(String.init)), ("cursor", cursor),
                ])
            let data = try await api.client().get(path)
            try APIOutput.emit(data, json: output.json) {
                APIOutput.table(APIOutput.objects($0["items"]), CustomersCommand.columns) + APIOutput.nextPage($0)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a customer, its consent and recent audit events (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The customer id.") var id: String

        func run() async throws {
            let data = try await api.client().get(try CustomersCommand.customerPath(id))
            try APIOutput.emit(data, json: output.json) { answer in
                let customer = answer["customer"] as? [String: Any] ?? [:]
                let details = APIOutput.fields(
                    customer,
                    CustomersCommand.columns + [
                        .init("domain"), .init("first seen", "firstSeenAt"), .init("last seen", "lastSeenAt"),
                        .init("last attempt", "consent.lastAttemptAt"), .init("last success", "consent.lastSuccessAt"),
                        .init("attempts", "consent.attempts"), .init("last error", "consent.lastError"),
                    ])
                let audit = APIOutput.table(APIOutput.objects(answer["recentAudit"]), AuditCommand.columns)
                return details + "\n\nrecent audit events:\n" + audit
            }
        }
    }

    struct Regrant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "DELETE + POST the customer's consent now through the server (operator); exit 1 when it did not end granted.")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The customer id.") var id: String

        func run() async throws {
            let data = try await api.client().post(try CustomersCommand.customerPath(id) + "/regrant")
            let outcome = try APIOutput.object(data)
            try APIOutput.emit(data, json: output.json) {
                "customer \(APIOutput.text($0["customerId"])): \(APIOutput.text($0["result"])) (state \(APIOutput.text($0["state"])))"
            }
            if (outcome["state"] as? String) != "granted" { throw ExitCode(1) }
        }
    }
}
