import ArgumentParser
import Foundation

/// `cpv grant-sets`: the versioned grant sets of a running server, through its admin API.
struct GrantSetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-sets", abstract: "List and show grant set versions; propose, approve and reject new ones.",
        subcommands: [List.self, Show.self, Publish.self, Proposals.self, Approve.self, Reject.self])

    static let columns: [APIOutput.Column] = [
        .init("version"), .init("name", "displayName"), .init("application", "applicationId"), .init("grants"),
        .init("created by", "createdBy"), .init("created at", "createdAt"),
    ]

    /// Grants as `enterpriseApplicationId scope` lines.
    static func grants(_ set: [String: Any]) -> String {
        APIOutput.objects(set["grants"]).map { "  \(APIOutput.text($0["enterpriseApplicationId"]))  \(APIOutput.text($0["scope"]))" }
            .joined(separator: "\n")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List grant set versions (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let data = try await api.client().get("/api/v1/grant-sets")
            try APIOutput.emit(data, json: output.json) { answer in
                let rows = APIOutput.objects(answer["items"]).map { set -> [String: Any] in
                    var row = set
                    row["grants"] = APIOutput.objects(set["grants"]).count
                    return row
                }
                return APIOutput.table(rows, GrantSetsCommand.columns)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one grant set version and its grants (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The version, or `current` for the newest.") var version: String

        func validate() throws {
            guard version == "current" || (Int(version) ?? 0) > 0 else { throw ValidationError("the version must be a positive integer or current") }
        }

        func run() async throws {
            let data = try await api.client().get("/api/v1/grant-sets")
            let sets = APIOutput.objects(try APIOutput.object(data)["items"])
            let chosen =
                version == "current"
                ? sets.max { (($0["version"] as? Int) ?? 0) < (($1["version"] as? Int) ?? 0) }
                : sets.first { ($0["version"] as? Int) == Int(version) }
            guard let set = chosen else { throw ExitFailure(.notFound, "no grant set version \(version)") }
            if output.json {
                let json = try JSONSerialization.data(withJSONObject: set, options: [.sortedKeys])
                FileHandle.standardOutput.write(json)
                print()
            } else {
                print(APIOutput.fields(set, GrantSetsCommand.columns.filter { $0.header != "grants" }))
                print("grants:\n" + GrantSetsCommand.grants(set))
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the next grant set version (admin) from a JSON file: {\"displayName\", \"grants\": [{\"enterpriseApplicationId\", \"scope\"}], \"applicationId\"?}; a second admin approves it.")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The JSON file (- for standard input).") var file: String

        func run() async throws {
            let contents: Data
            if file == "-" {
                contents = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: file) else {
                    throw ExitFailure(.notFound, "cannot read \(file)")
                }
                contents = read
            }
            guard let body = try? JSONSerialization.jsonObject(with: contents) as? [String: Any] else {
                throw ExitFailure(.dataError, "\(file) is not a JSON object")
            }
            let data = try await api.client().post("/api/v1/grant-sets", json: body)
            try APIOutput.emit(data, json: output.json) {
                "proposed grant set \(APIOutput.text($0["displayName"])) as proposal \(APIOutput.text($0["id"])) "
                    + "(\(APIOutput.objects($0["grants"]).count) grants); another admin approves it with `cpv grant-sets approve \(APIOutput.text($0["id"]))`"
            }
        }
    }

    struct Proposals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent grant set proposals (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let data = try await api.client().get("/api/v1/grant-sets/proposals")
            try APIOutput.emit(data, json: output.json) {
                APIOutput.table(
                    APIOutput.objects($0["items"]),
                    [
                        .init("id"), .init("status"), .init("name", "displayName"), .init("proposed by", "proposedBy"),
                        .init("decided by", "decidedBy"), .init("version", "publishedVersion"),
                    ])
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve and publish a proposal (admin, not its proposer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The proposal id.") var id: Int64

        func run() async throws {
            let data = try await api.client().post("/api/v1/grant-sets/proposals/\(id)/approve")
            try APIOutput.emit(data, json: output.json) {
                let grantSet = $0["grantSet"] as? [String: Any] ?? [:]
                return "published grant set version \(APIOutput.text(grantSet["version"])) (\(APIOutput.objects(grantSet["grants"]).count) grants)"
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject (or, as its proposer, withdraw) a proposal (admin).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The proposal id.") var id: Int64
        @Option(help: "Why (kept in the audit trail).") var reason: String?

        func run() async throws {
            let data = try await api.client().post(
                "/api/v1/grant-sets/proposals/\(id)/reject", json: reason.map { ["reason": $0] } ?? [:])
            try APIOutput.emit(data, json: output.json) { "rejected proposal \(APIOutput.text($0["id"]))" }
        }
    }
}
