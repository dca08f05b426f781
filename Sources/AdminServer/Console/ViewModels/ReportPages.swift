import ConsentStore
import Foundation

/// The report index.
struct ReportsPage: Sendable {
    struct Entry: Sendable {
        let name: String
        let title: String
        let summary: String
        let href: String
        let csvHref: String
    }

    let chrome: ConsoleChrome
    let reports: [Entry]

    static let catalogue: [(name: String, title: String, summary: String)] = [
        ("consent-coverage", "Consent coverage", "Per partner, customers by consent state and the share granted on the newest grant set."),
        ("missing-consent", "Missing consent", "Customers left without any consent: the DELETE succeeded and the POST did not."),
        ("failures", "Failures", "Failed grants by error code and partner."),
        ("stale", "Stale consents", "Customers whose last grant is older than 30 days or on an older grant set."),
        ("drift", "Drift", "Customers whose tenant, read through Graph, differs from the grant set or could not be read, grouped by what differs."),
        ("partner-token-health", "Partner token health", "Each partner's refresh token: last use, projected expiry, last error."),
    ]

    init(chrome: ConsoleChrome) {
        self.chrome = chrome
        reports = Self.catalogue.map {
            Entry(name: $0.name, title: $0.title, summary: $0.summary, href: "/console/reports/\($0.name)", csvHref: "/console/reports/\($0.name).csv")
        }
    }
}

/// One report as a table, numbers right-aligned, with its CSV download.
struct ReportPage: Sendable {
    struct Column: Sendable {
        let title: String
        let numeric: Bool
    }
    struct Cell: Sendable {
        let text: String
        let numeric: Bool
        let tone: String?
        /// Ids link to their page and show their first block; the full id is the link's title.
        let href: String?
        let fullText: String?
    }
    struct Row: Sendable {
        let cells: [Cell]
    }

    let chrome: ConsoleChrome
    let title: String
    let summary: String
    let csvHref: String
    let columns: [Column]
    let rows: [Row]
    let isEmpty: Bool
    let rowCount: String

    init(chrome: ConsoleChrome, table: ReportTable) {
        self.chrome = chrome
        let entry = ReportsPage.catalogue.first { $0.name == table.name }
        title = entry?.title ?? table.name
        summary = entry?.summary ?? ""
        csvHref = "/console/reports/\(table.name).csv"
        // A column is numeric when every non-empty cell is a number.
        let numeric = table.columns.indices.map { column in
            table.rows.allSatisfy { row in
                switch row[column] {
                case .integer, .decimal, .null: true
                default: false
                }
            } && !table.rows.isEmpty
        }
        columns = table.columns.indices.map { Column(title: table.columns[$0].replacingOccurrences(of: "_", with: " "), numeric: numeric[$0]) }
        let statusColumns: Set<String> = ["state", "status", "partner_status"]
        rows = table.rows.map { row in
            Row(cells: row.indices.map { index in
                let text: String
                switch row[index] {
                case .integer(let value): text = ConsoleFormat.count(Int(value))
                case .timestamp(let date): text = ConsoleFormat.time(date)
                case .null: text = "—"
                default: text = row[index].display
                }
                let column = table.columns[index]
                let tone = statusColumns.contains(column) ? ConsoleFormat.tone(row[index].display) : nil
                if case .text(let id) = row[index], column == "partner_id", id.count == 36 {
                    return Cell(text: String(id.prefix(8)), numeric: false, tone: nil, href: "/console/partners/\(id)", fullText: id)
                }
                if case .integer(let id) = row[index], column == "customer_id" {
                    return Cell(text: String(id), numeric: true, tone: nil, href: "/console/customers/\(id)", fullText: nil)
                }
                return Cell(text: tone == nil ? text : ConsoleFormat.label(text), numeric: numeric[index], tone: tone, href: nil, fullText: nil)
            })
        }
        isEmpty = table.rows.isEmpty
        rowCount = ConsoleFormat.count(table.rows.count)
    }
}
