import ConsentDomain
import Foundation
import PostgresNIO

/// The result of a report: named columns and rows of typed cells, rendered as JSON or CSV at the
/// edge. Reports are aggregates or bounded lists; `audit-export`, the unbounded one, streams instead.
public struct ReportTable: Sendable, Equatable {
    public let name: String
    public let columns: [String]
    public var rows: [[ReportCell]]

    public init(name: String, columns: [String], rows: [[ReportCell]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// The cell of `column` in row `index` (tests and the CLI).
    public func cell(_ column: String, row index: Int) -> ReportCell? {
        guard let position = columns.firstIndex(of: column), rows.indices.contains(index) else { return nil }
        return rows[index][position]
    }
}

public enum ReportCell: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case decimal(Double)
    case timestamp(Date)
    case null

    /// The cell as CSV/table text: timestamps in RFC 3339 UTC, null as empty.
    public var display: String {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .decimal(let value): String(format: "%.1f", value)
        case .timestamp(let value): value.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        case .null: ""
        }
    }
}

/// How a column of a report's SQL is decoded.
enum ReportColumn: Sendable {
    case text(String), integer(String), decimal(String), timestamp(String), uuid(String)

    var name: String {
        switch self {
        case .text(let name), .integer(let name), .decimal(let name), .timestamp(let name), .uuid(let name): name
        }
    }

    func cell(_ row: PostgresRandomAccessRow) throws -> ReportCell {
        switch self {
        case .text(let name): try row[name].decode(String?.self).map(ReportCell.text) ?? .null
        case .integer(let name): try row[name].decode(Int64?.self).map(ReportCell.integer) ?? .null
        case .decimal(let name): try row[name].decode(Double?.self).map(ReportCell.decimal) ?? .null
        case .timestamp(let name): try row[name].decode(Date?.self).map(ReportCell.timestamp) ?? .null
        case .uuid(let name): try row[name].decode(UUID?.self).map { .text($0.guidText) } ?? .null
        }
    }
}

extension PostgresClient {
    /// Runs a report's query and decodes its columns by name.
    func report(_ name: String, _ query: PostgresQuery, columns: [ReportColumn], logger: Logger) async throws -> ReportTable {
        var table = ReportTable(name: name, columns: columns.map(\.name))
        let rows = try await self.query(query, logger: logger)
        for try await row in rows {
            let access = row.makeRandomAccess()
            table.rows.append(try columns.map { try $0.cell(access) })
        }
        return table
    }
}
