import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Drives the console through the router like a browser: keeps the session cookie, reads the
/// page's CSRF token, posts forms. No redirects are followed, so tests see each answer.
struct ConsoleBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String

        var location: String? { headers[.location] }

        /// The value of the first hidden field called `name` on the page.
        func hidden(_ name: String) -> String? {
            guard let range = body.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
            let match = String(body[range])
            return match.components(separatedBy: "value=\"").last.map { String($0.dropLast()) }
        }
    }

    init(client: any TestClientProtocol) {
        self.client = client
    }

    mutating func get(_ path: String) async throws -> Page {
        try await send(.get, path, body: nil)
    }

    /// Posts a form; `csrf` is added as `_csrf` unless nil.
    mutating func post(_ path: String, _ fields: [(String, String)] = [], csrf: String?) async throws -> Page {
        var all = fields
        if let csrf { all.append(("_csrf", csrf)) }
        return try await send(.post, path, body: Self.encode(all))
    }

    /// Signs in through the form with `token`; returns the answer to the POST.
    mutating func signIn(token: String) async throws -> Page {
        let form = try await get("/console/sign-in")
        return try await send(.post, "/console/sign-in", body: Self.encode([("_signin", form.hidden("_signin") ?? ""), ("token", token)]))
    }

    /// The session's CSRF token, read from the dashboard's sign-out form.
    mutating func csrfToken() async throws -> String? {
        try await get("/console").hidden("_csrf")
    }

    mutating func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let page = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
        for field in page.headers[values: .setCookie] {
            let pair = field.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            guard let name = pair.first.map(String.init) else { continue }
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return page
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}
