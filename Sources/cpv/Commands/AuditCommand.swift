import ArgumentParser
import Foundation

/// `cpv audit search` and `cpv audit verify` (the hash chain: exit 0 when intact, 1 when broken,
/// the first break on standard error), through a running server's admin API.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail of a running server.", subcommands: [Search.self, Verify.self])

    static let columns: [APIOutput.Column] = [
        .init("seq"), .init("at", "occurredAt"), .init("actor"), .init("action"), .init("customer", "customerId"),
        .init("status", "responseStatus"), .init("error", "errorCode"),
    ]

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Audit events, newest first, one page (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this partner's (id).") var partner: String?
        @Option(help: "Only this customer's (id).") var customer: Int64?
        @Option(help: "Only this run's (id).") var run: String?
        @Option(help: "Only this action, e.g. consent.post.failed.") var action: String?
        @Option(help: "From this RFC 3339 time (inclusive).") var since: String?
        @Option(help: "To this RFC 3339 time (exclusive).") var until: String?
        @Option(help: "Page size, 1-500 (default 100).") var limit: Int?
        @Option(help: "The cursor printed under the previous page.") var cursor: String?

        func run() async throws {
            let path = APIClient.path(
                "/api/v1/audit",
                [
                    ("partnerId", partner), ("customerId", customer.map(String.init)), ("runId", run), ("action", action),
                    ("since", since), ("until", until), ("limit", limit.map(String.init)), ("cursor", cursor),
                ])
            let data = try await api.client().get(path)
            try APIOutput.emit(data, json: output.json) {
                APIOutput.table(APIOutput.objects($0["items"]), AuditCommand.columns) + APIOutput.nextPage($0)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify the audit hash chain; exit 1 if it is broken.")

        @OptionGroup var api: APIOptions

        @Flag(help: "Print the server's JSON answer.")
        var json = false

        func run() async throws {
            let data = try await api.client().get("/api/v1/audit/verify")
            guard let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let intact = report["intact"] as? Bool else {
                throw ExitFailure(.dataError, "the server's answer is not a verification report")
            }
            let checked = report["checkedEvents"] as? Int ?? 0
            if json {
                FileHandle.standardOutput.write(data)
                print()
            } else if intact {
                let unkeyed = report["unkeyedEvents"] as? Int ?? 0
                print(
                    "audit chain intact: \(checked) events checked (\(unkeyed) from before the keyed chain), "
                        + "last seq \(report["lastSeq"] as? Int ?? 0), last hash \(report["lastHash"] as? String ?? "")")
            }
            if !intact {
                let firstBreak = report["firstBreak"] as? [String: Any]
                throw ExitFailure(
                    .failure,
                    "audit chain broken at seq \(firstBreak?["seq"] as? Int ?? 0): \(firstBreak?["reason"] as? String ?? "unknown") (\(checked) events intact before it)")
            }
        }
    }
}
