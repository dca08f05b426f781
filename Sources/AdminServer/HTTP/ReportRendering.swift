import ConsentStore
import Foundation
import Hummingbird
import NIOCore

/// Renders report tables as JSON (`{"report","columns","rows":[{column: value}]}`) or RFC 4180 CSV.
enum ReportRendering {
    static func csvLine(_ cells: [String]) -> String {
        cells.map(csvField).joined(separator: ",") + "\r\n"
    }

    /// A row of cells. Text that a spreadsheet would run as a formula (it begins with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return: a company name, an error text, an actor from outside)
    /// gets a leading `'`, as OWASP's CSV-injection advice says; numbers and times stay as they are.
    static func csvRow(_ cells: [ReportCell]) -> String {
        csvLine(cells.map { cell in
            guard case .text(let value) = cell else { return cell.display }
            return neutralised(value)
        })
    }

    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }

    /// Quotes a field when it holds a separator, a quote, a line break or edge spaces; doubles quotes.
    static func csvField(_ value: String) -> String {
        let needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || value.first == " " || value.last == " "
        return needsQuotes ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    static func csv(_ table: ReportTable) -> Response {
        var text = csvLine(table.columns)
        for row in table.rows { text += csvRow(row) }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(table.name).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ table: ReportTable) throws -> Response {
        try JSONBody.response(
            TableDTO(report: table.name, columns: table.columns, rows: table.rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(table.columns, row.map(CellDTO.init)))
            }))
    }

    struct TableDTO: Encodable {
        let report: String
        let columns: [String]
        let rows: [[String: CellDTO]]
    }

    struct CellDTO: Encodable {
        let cell: ReportCell

        init(_ cell: ReportCell) {
            self.cell = cell
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch cell {
            case .text(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .decimal(let value): try container.encode(value)
            case .timestamp: try container.encode(cell.display)
            case .null: try container.encodeNil()
            }
        }
    }
}
