import PostgresNIO

/// A result row read by column name. Positional tuple decoding binds the n-th value to the n-th
/// field, so a column added to a SELECT, or two columns swapped, silently shifts values into the
/// wrong fields when the types happen to agree; by name, a missing column is an error that says
/// which one.
struct NamedRow {
    private let cells: PostgresRandomAccessRow
    private let prefix: String

    /// `prefix` reads the columns that `ColumnList.aliased(prefix:)` selected, so that one row can
    /// carry several tables' `id`s.
    init(_ row: PostgresRow, prefix: String = "") {
        self.cells = row.makeRandomAccess()
        self.prefix = prefix
    }

    private init(cells: PostgresRandomAccessRow, prefix: String) {
        self.cells = cells
        self.prefix = prefix
    }

    /// The same row, read through another prefix.
    func prefixed(_ prefix: String) -> NamedRow { NamedRow(cells: cells, prefix: prefix) }

    func callAsFunction<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let name = prefix + column
        return try cell(name).decode(T.self)
    }

    /// Whether the column is NULL: how a LEFT JOIN says "no such row".
    func isNull(_ column: String) throws -> Bool { try cell(prefix + column).bytes == nil }

    private func cell(_ name: String) throws -> PostgresCell {
        guard cells.contains(name) else { throw NamedRowError.missingColumn(name) }
        return cells[name]
    }
}

/// A query's result lacks a column its decoder reads: a programming error, named.
enum NamedRowError: Error, CustomStringConvertible {
    case missingColumn(String)

    var description: String {
        switch self {
        case .missingColumn(let column): "the result has no column \(column)"
        }
    }
}

/// The columns a decoder reads, written once: `sql` for a plain SELECT, `aliased(prefix:)` for a
/// SELECT that joins several tables whose column names collide.
struct ColumnList: Sendable {
    /// Each column as selected (`grants::text`) and the name it is read by (`grants`).
    let columns: [(expression: String, name: String)]

    /// Each item is a column name, or `expression AS name`.
    init(_ items: String...) {
        columns = items.map { item in
            let parts = item.components(separatedBy: " AS ")
            return parts.count == 2 ? (parts[0], parts[1]) : (item, item)
        }
    }

    var sql: String {
        columns.map { $0.expression == $0.name ? $0.name : "\($0.expression) AS \($0.name)" }.joined(separator: ", ")
    }

    /// Every column under `prefix`+name, qualified by `table` (e.g. `c.id AS c_id`).
    func aliased(table: String, prefix: String) -> String {
        columns.map { "\(table).\($0.name) AS \(prefix)\($0.name)" }.joined(separator: ", ")
    }
}
