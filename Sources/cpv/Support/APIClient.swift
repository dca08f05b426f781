import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `--url` / `--token` of the commands that talk to a running server's admin API.
struct APIOptions: ParsableArguments {
    @Option(help: "The server's base URL (default: $CPV_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "A staff API token (default: $CPV_TOKEN, else the file named by $CPV_TOKEN_FILE). Prefer the environment: arguments show in `ps`.")
    var token: String?

    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["CPV_URL"] ?? "http://127.0.0.1:8080"
        var token = token ?? environment["CPV_TOKEN"]
        if token == nil, let file = environment["CPV_TOKEN_FILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ExitFailure(.configuration, "CPV_TOKEN_FILE \(file) is not readable")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let token, !token.isEmpty else {
            throw ExitFailure(.configuration, "no API token: pass --token or set CPV_TOKEN or CPV_TOKEN_FILE")
        }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ExitFailure(.usage, "--url must start with http:// or https://")
        }
        return APIClient(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, token: token)
    }
}

/// A minimal client of the admin API: requests with the bearer token, errors mapped to exit codes
/// (docs/cli.md): 401/403 → 77, 404 → 66, other 4xx → 65, unreachable or 5xx → 69.
struct APIClient: Sendable {
    let baseURL: String
    let token: String

    /// The body of a successful GET, at most `limit` bytes.
    func get(_ pathAndQuery: String, limit: Int = 256 * 1024 * 1024) async throws -> Data {
        try await send(.GET, pathAndQuery, limit: limit)
    }

    /// The body of a successful POST of `json` (an empty object when nil).
    func post(_ path: String, json: [String: Any]? = nil) async throws -> Data {
        let body = try JSONSerialization.data(withJSONObject: json ?? [:], options: [.sortedKeys])
        return try await send(.POST, path, body: body)
    }

    func send(_ method: HTTPMethod, _ pathAndQuery: String, body: Data? = nil, limit: Int = 16 * 1024 * 1024) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "User-Agent", value: "cpv-cli")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // A server that is down fails the command at once (exit 69) rather than after the pool's
        // connection retries: a script wants the answer, and the operator can run it again.
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: .seconds(300))
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: limit).readableBytesView)
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw ExitFailure(.unavailable, "cannot reach \(baseURL): \(error)")
        }
        switch status {
        case 200..<300:
            return data
        case 401, 403:
            throw ExitFailure(.noPermission, Self.errorMessage(data, status: status))
        case 404:
            throw ExitFailure(.notFound, Self.errorMessage(data, status: status))
        case 400..<500:
            throw ExitFailure(.dataError, Self.errorMessage(data, status: status))
        default:
            throw ExitFailure(.unavailable, Self.errorMessage(data, status: status))
        }
    }

    /// `code: message` of the API's error body, else the status.
    static func errorMessage(_ data: Data, status: Int) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let error = object["error"] as? [String: Any], let code = error["code"] as? String
        else { return "the server answered \(status)" }
        return "\(code): \(error["message"] as? String ?? "")"
    }

    /// `path?name=value&...` with the values percent-encoded (`+` too: it would read as a space).
    static func path(_ path: String, _ query: [(String, String?)]) -> String {
        var components = URLComponents()
        components.path = path
        let items = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        components.queryItems = items.isEmpty ? nil : items
        return (components.string ?? path).replacingOccurrences(of: "+", with: "%2B")
    }
}

/// Prints rows as an aligned text table (columns as wide as their widest cell, capped).
enum TextTable {
    static func render(columns: [String], rows: [[String]], maxWidth: Int = 40) -> String {
        let widths = columns.indices.map { index in
            min(maxWidth, max(columns[index].count, rows.map { $0.indices.contains(index) ? $0[index].count : 0 }.max() ?? 0))
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let text = cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell
                return text.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(columns.map { $0.uppercased() })] + rows.map(line)).joined(separator: "\n")
    }
}
