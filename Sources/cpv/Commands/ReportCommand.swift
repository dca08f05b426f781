import ArgumentParser
import AdminServer
import Foundation

/// `cpv report NAME`: a report of a running server, as a table (default), CSV or JSON.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a report: consent-coverage, missing-consent, failures, stale, partner-token-health, runs, audit-export.")

    @OptionGroup var api: APIOptions

    @Argument(help: "The report's name.")
    var name: String

    @Option(help: "table, csv or json.")
    var format = "table"

    @Option(help: "stale: days since the last success; runs: runs created in the last N days (default 30).")
    var days: Int?

    @Option(help: "missing-consent, stale: the most rows listed (default 1000).")
    var limit: Int?

    @Option(help: "audit-export: from this RFC 3339 time (inclusive).")
    var since: String?

    @Option(help: "audit-export: to this RFC 3339 time (exclusive).")
    var until: String?

    static let names = ReportRoutes.names

    func validate() throws {
        guard Self.names.contains(name) else { throw ValidationError("unknown report \(name); reports: \(Self.names.joined(separator: ", "))") }
        guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format must be table, csv or json") }
    }

    func run() async throws {
        let client = try api.client()
        var query = [URLQueryItem(name: "format", value: format == "csv" ? "csv" : "json")]
        if let days { query.append(URLQueryItem(name: "days", value: String(days))) }
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let since { query.append(URLQueryItem(name: "since", value: since)) }
        if let until { query.append(URLQueryItem(name: "until", value: until)) }
        let path = APIClient.path("/api/v1/reports/\(name)", query.map { ($0.name, $0.value) })
        let data = try await client.get(path)
        if format != "table" {
            FileHandle.standardOutput.write(data)
            if format == "json" { print() }
            return
        }
        print(try Self.table(data))
    }

    /// The report's JSON as a text table (`audit-export` answers an array of rows, the others a table).
    static func table(_ data: Data) throws -> String {
        let object = try? JSONSerialization.jsonObject(with: data)
        let columns: [String]
        let rows: [[String: Any]]
        if let table = object as? [String: Any], let names = table["columns"] as? [String], let values = table["rows"] as? [[String: Any]] {
            columns = names
            rows = values
        } else if let values = object as? [[String: Any]] {
            columns = values.first.map { $0.keys.sorted() } ?? []
            rows = values
        } else {
            throw ExitFailure(.dataError, "the server's answer is not a report")
        }
        return TextTable.render(columns: columns, rows: rows.map { row in columns.map { text(row[$0]) } })
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: String(describing: value)
        }
    }
}
