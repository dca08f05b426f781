import ArgumentParser
import Foundation

/// `cpv audit verify`: asks a running server to walk the audit hash chain.
/// Exit 0 when intact, 1 when broken (the first break on standard error), API failures as docs/cli.md.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail of a running server.", subcommands: [Verify.self])

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
                print("audit chain intact: \(checked) events checked, last seq \(report["lastSeq"] as? Int ?? 0)")
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
