import ArgumentParser
import Foundation

/// `--json` of the commands that print an API answer: the API's JSON as is, for scripts.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the API's JSON instead of a table.")
    var json = false
}

/// Turns API answers into what the commands print: the raw JSON for `--json`, else text tables.
enum APIOutput {
    /// One column of a table: its header and the dotted path of the value (`consent.state`).
    struct Column {
        let header: String
        let path: String

        init(_ header: String, _ path: String? = nil) {
            self.header = header
            self.path = path ?? header
        }
    }

    static func object(_ data: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ExitFailure(.dataError, "the server's answer is not a JSON object")
        }
        return object
    }

    static func objects(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }

    /// Prints `data` as is for `--json`, else `render` of its object.
    static func emit(_ data: Data, json: Bool, render: ([String: Any]) throws -> String) throws {
        if json {
            FileHandle.standardOutput.write(data)
            print()
        } else {
            print(try render(try object(data)))
        }
    }

    static func table(_ rows: [[String: Any]], _ columns: [Column]) -> String {
        TextTable.render(columns: columns.map(\.header), rows: rows.map { row in columns.map { text(value(row, $0.path)) } })
    }

    /// `key: value` lines of the chosen fields, for one object.
    static func fields(_ object: [String: Any], _ columns: [Column]) -> String {
        let width = columns.map(\.header.count).max() ?? 0
        return columns.map { column in
            column.header.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text(value(object, column.path))
        }.joined(separator: "\n")
    }

    static func value(_ object: [String: Any], _ path: String) -> Any? {
        var current: Any? = object
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let string as String: string
        case let number as NSNumber: text(number)
        case let object as [String: Any]:
            object.keys.sorted().map { "\($0)=\(text(object[$0]))" }.joined(separator: ",")
        case let array as [Any]: array.map { text($0) }.joined(separator: ",")
        default: String(describing: value!)
        }
    }

    /// JSON booleans as yes/no (JSONSerialization hands them over as NSNumber, which prints 0 and
    /// 1), whole numbers as they are, fractions to two decimals (`25.02`, not `25.02130079682407`).
    static func text(_ number: NSNumber) -> String {
        if type(of: number) == type(of: NSNumber(value: true)) { return number.boolValue ? "yes" : "no" }
        let double = number.doubleValue
        guard double.rounded() != double else { return number.stringValue }
        return String(format: "%.2f", double)
    }

    /// The next-page hint under a table, when the list goes on.
    static func nextPage(_ object: [String: Any]) -> String {
        guard let cursor = object["nextCursor"] as? String else { return "" }
        return "\n(more: --cursor \(cursor))"
    }
}
