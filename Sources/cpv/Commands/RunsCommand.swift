import ConsentDomain
import ArgumentParser
import Foundation

/// `cpv runs`: durable runs of a running server, through its admin API (`cpv regrant --all ...`
/// creates them).
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List and show runs and their tasks; pause, resume or cancel one.",
        subcommands: [List.self, Show.self, Tasks.self, Steer.Pause.self, Steer.Resume.self, Steer.Cancel.self])

    static let columns: [APIOutput.Column] = [
        .init("id"), .init("action"), .init("status"), .init("scope"), .init("tasks", "totalTasks"), .init("dry run", "dryRun"),
        .init("by", "requestedBy"), .init("created", "createdAt"), .init("finished", "finishedAt"),
    ]

    static func runPath(_ id: String) throws -> String {
        guard let uuid = UUID(uuidString: id) else { throw ValidationError("the run id must be a UUID") }
        return "/api/v1/runs/\(uuid.guidText)"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The 50 most recent runs (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let data = try await api.client().get("/api/v1/runs")
            try APIOutput.emit(data, json: output.json) { APIOutput.table(APIOutput.objects($0["runs"]), RunsCommand.columns) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's progress: tasks by status, rate, ETA, failures (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run id.") var id: String

        func run() async throws {
            let data = try await api.client().get(try RunsCommand.runPath(id))
            try APIOutput.emit(data, json: output.json) { progress in
                let run = progress["run"] as? [String: Any] ?? [:]
                var text = APIOutput.fields(run, RunsCommand.columns + [.init("started", "startedAt")])
                text += "\ncounts    " + APIOutput.text(progress["counts"])
                text += "\nrate      " + ((progress["ratePerSecond"] as? NSNumber).map { String(format: "%.1f/s", $0.doubleValue) } ?? "")
                text += "\neta       " + ((progress["etaSeconds"] as? NSNumber).map { "\(Int($0.doubleValue.rounded())) s" } ?? "")
                text += "\nfailures  " + APIOutput.text(progress["failures"])
                text += "\nclasses   " + APIOutput.text(progress["failureClasses"])
                return text
            }
        }
    }

    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's tasks (at most 500), in claim order (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run id.") var id: String
        @Option(help: "Only tasks in this status: pending, leased, succeeded, failed, skipped, cancelled, blocked.") var status: String?

        func run() async throws {
            let data = try await api.client().get(APIClient.path(try RunsCommand.runPath(id) + "/tasks", [("status", status)]))
            try APIOutput.emit(data, json: output.json) {
                APIOutput.table(
                    APIOutput.objects($0["tasks"]),
                    [
                        .init("id"), .init("customer", "customerID"), .init("partner", "partnerID"), .init("status"),
                        .init("attempts"), .init("error", "lastErrorCode"), .init("class", "failureClass"), .init("finished", "finishedAt"),
                    ])
            }
        }
    }

    /// `pause`, `resume` and `cancel` (operator): the same call with the command's name.
    enum Steer {
        static func apply(_ command: String, id: String, api: APIOptions, json: Bool) async throws {
            let data = try await api.client().post(try RunsCommand.runPath(id) + "/" + command)
            try APIOutput.emit(data, json: json) { "run \(APIOutput.text($0["id"])): \(APIOutput.text($0["status"]))" }
        }

        struct Pause: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Pause a queued or running run (operator).")
            @OptionGroup var api: APIOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The run id.") var id: String
            func run() async throws { try await Steer.apply("pause", id: id, api: api, json: output.json) }
        }

        struct Resume: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Resume a paused run (operator).")
            @OptionGroup var api: APIOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The run id.") var id: String
            func run() async throws { try await Steer.apply("resume", id: id, api: api, json: output.json) }
        }

        struct Cancel: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Cancel a run and its tasks not yet started (operator).")
            @OptionGroup var api: APIOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The run id.") var id: String
            func run() async throws { try await Steer.apply("cancel", id: id, api: api, json: output.json) }
        }
    }
}
