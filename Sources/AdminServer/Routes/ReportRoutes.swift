import ConsentStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `GET /api/v1/reports/{name}?format=json|csv` (viewer). `stale` takes `days` (1–3650, default
/// 30) and `limit`, like `missing-consent` and `drift` (1–500, default 100); `runs` takes `days` (runs
/// created in the last `days` days, default 30); `audit-export` takes `since`/`until` and streams
/// its rows (CSV, or a JSON array) within `exportDeadline`.
/// Wiring: `ReportRoutes(database: services.database, exportDeadline: ...).register(on: api)`.
public struct ReportRoutes: Sendable {
    let database: PostgresClient
    /// The longest an export may run (`CPV_EXPORT_DEADLINE_SECONDS`): a slow or stalled client
    /// must not hold a database connection and a transaction open for hours.
    let exportDeadline: Duration

    public init(database: PostgresClient, exportDeadline: Duration = .seconds(300)) {
        self.database = database
        self.exportDeadline = exportDeadline
    }

    public static let names = [
        "consent-coverage", "missing-consent", "failures", "stale", "drift", "partner-token-health", "runs", "audit-export",
    ]

    /// The most rows `missing-consent` and `stale` list (`limit`, default 100): a page's worth; the
    /// customers API pages through the rest. Larger answers cost memory per request for nobody.
    static let maxRows = 500

    /// Rows buffered before a write: few syscalls, bounded memory.
    static let flushBytes = 64 * 1024

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/reports/{name}") { request, context in
            _ = try context.require(.viewer)
            let query = QueryParameters(request)
            let format = try query.string("format") ?? "json"
            guard format == "json" || format == "csv" else {
                throw APIError(.badRequest, code: "invalid_format", message: "format must be json or csv", details: ["parameter": "format"])
            }
            let name = context.parameters.get("name") ?? ""
            let table: ReportTable
            switch name {
            case "consent-coverage": table = try await ConsentCoverageReport.run(client: database, logger: context.logger)
            case "missing-consent":
                let limit = try query.int("limit", in: 1...Self.maxRows) ?? MissingConsentReport.defaultLimit
                table = try await MissingConsentReport.run(limit: limit, client: database, logger: context.logger)
            case "failures": table = try await FailuresReport.run(client: database, logger: context.logger)
            case "stale":
                let days = try query.int("days", in: 1...3650) ?? StaleReport.defaultDays
                let limit = try query.int("limit", in: 1...Self.maxRows) ?? StaleReport.defaultLimit
                table = try await StaleReport.run(days: days, limit: limit, client: database, logger: context.logger)
            case "drift":
                let limit = try query.int("limit", in: 1...Self.maxRows) ?? DriftReport.defaultLimit
                table = try await DriftReport.run(limit: limit, client: database, logger: context.logger)
            case "partner-token-health": table = try await PartnerTokenHealthReport.run(client: database, logger: context.logger)
            case "runs":
                let days = try query.int("days", in: 1...3650) ?? RunsReport.defaultDays
                table = try await RunsReport.run(days: days, client: database, logger: context.logger)
            case "audit-export":
                return auditExport(since: try query.date("since"), until: try query.date("until"), format: format, logger: context.logger)
            default:
                throw APIError(
                    .notFound, code: "unknown_report", message: "no report \(name); reports: \(Self.names.joined(separator: ", "))",
                    details: ["report": name])
            }
            return format == "csv" ? ReportRendering.csv(table) : try ReportRendering.json(table)
        }
    }

    /// Streams the export. Once the first bytes are out the status is sent: a database failure or
    /// the deadline mid-way is logged and the response is cut off without its final chunk, so the
    /// client sees a failed transfer (curl: exit 18), never a complete-looking truncated file and
    /// never a 500 glued onto data.
    func auditExport(since: Date?, until: Date?, format: String, logger: Logger) -> Response {
        let database = database
        let deadline = exportDeadline
        let columns = AuditExportReport.columns
        let body = ResponseBody { writer in
            var buffer = ByteBuffer()
            if format == "csv" {
                buffer.writeString(ReportRendering.csvLine(columns))
            } else {
                buffer.writeString("[")
            }
            var first = true
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            do {
                try await AuditExportReport.stream(since: since, until: until, deadline: deadline, client: database, logger: logger) { cells in
                    if format == "csv" {
                        buffer.writeString(ReportRendering.csvRow(cells))
                    } else {
                        let object = Dictionary(uniqueKeysWithValues: zip(columns, cells.map(ReportRendering.CellDTO.init)))
                        if !first { buffer.writeString(",") }
                        buffer.writeBytes(try encoder.encode(object))
                    }
                    first = false
                    if buffer.readableBytes >= Self.flushBytes {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
            } catch {
                logger.error("audit export stopped early", metadata: ["cpv.error": "\(String(reflecting: error))"])
                throw error
            }
            if format == "json" { buffer.writeString("]") }
            try await writer.write(buffer)
            try await writer.finish(nil)
        }
        let contentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        var headers: HTTPFields = [.contentType: contentType]
        if format == "csv" { headers[.contentDisposition] = "attachment; filename=\"audit-export.csv\"" }
        return Response(status: .ok, headers: headers, body: body)
    }
}
