import AdminServer
import CPVTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/openapi.yaml` stays true: its paths are exactly the route table's, each answers on the running
/// server (no router 404/405), and each schema's example holds the schema's required keys.
@Suite struct OpenAPIDocumentTests {
    /// `(method, path)` pairs of the document's `paths` (block style: path at 2 spaces, method at 4).
    static func operations(_ yaml: String) -> Set<String> {
        var result: Set<String> = []
        var inPaths = false
        var current: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let current {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) { result.insert("\(key.uppercased()) \(current)") }
            }
        }
        return result
    }

    /// Schema name → (required keys, example text) of `components.schemas` entries that have both.
    static func schemaExamples(_ yaml: String) -> [String: (required: [String], example: String)] {
        var result: [String: (required: [String], example: String)] = [:]
        guard let start = yaml.range(of: "\n  schemas:\n") else { return result }
        var name: String?
        var required: [String] = []
        var example: String?
        func flush() {
            if let name, let example, !required.isEmpty { result[name] = (required, example) }
        }
        for line in yaml[start.upperBound...].split(separator: "\n") {
            if line.hasPrefix("    "), !line.hasPrefix("     ") {
                flush()
                name = String(line.trimmingCharacters(in: .whitespaces).prefix { $0 != ":" })
                required = []
                example = nil
            } else if line.hasPrefix("      required: ["), required.isEmpty {
                required = line.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }.split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }
            } else if line.hasPrefix("      example:") {
                example = String(line.dropFirst("      example:".count))
            } else if example != nil, line.hasPrefix("        ") {
                example? += "\n" + line
            } else if !line.hasPrefix(" ") {
                break
            }
        }
        flush()
        return result
    }

    @Test func theDocumentsPathsAreTheRouteTable() async throws {
        try await IdentityHarness.run { h in
            // when
            let (status, yaml) = try await h.client.execute(uri: "/openapi.yaml", method: .get) { ($0.status, String(buffer: $0.body)) }
            // then
            #expect(status == .ok)
            #expect(yaml.hasPrefix("openapi: 3.1.0\n"))
            let documented = Self.operations(yaml)
            let routed = Set(RouteEntry.all.map { "\($0.method) \($0.path)" })
            #expect(documented.subtracting(routed).isEmpty, "documented but not in the route table")
            #expect(routed.subtracting(documented).isEmpty, "routed but not documented")
        }
    }

    @Test func everyDocumentedOperationIsRouted() async throws {
        try await IdentityHarness.run { h in
            // given: what the router itself answers for a path it does not have
            let yaml = try await h.client.execute(uri: "/openapi.yaml", method: .get) { String(buffer: $0.body) }
            let unrouted = try await h.api(.get, "/api/v1/no-such-route")
            #expect(unrouted.status == .notFound)
            #expect(unrouted.body.contains("\"message\":\"Not Found\""))

            for operation in Self.operations(yaml).sorted() {
                let parts = operation.split(separator: " ", maxSplits: 1)
                let entry = RouteEntry(method: HTTPRequest.Method(String(parts[0])) ?? .get, path: String(parts[1]), role: .admin)
                // when
                let (status, body) = try await h.api(entry.method, entry.concrete)
                // then: not the router's own 404/405 (a handler's 404 names what it did not find)
                #expect(!(status == .notFound && body.contains("\"message\":\"Not Found\"")), "\(operation) is not routed")
                #expect(status != .methodNotAllowed, "\(operation) is not routed")
                #expect(status.code < 500 || entry.path == "/readyz", "\(operation) answered \(status)")
            }
        }
    }

    @Test func examplesHoldTheirSchemasRequiredKeys() {
        // given
        let yaml = String(decoding: OpenAPIDocumentText.yaml.utf8, as: UTF8.self)
        // when
        let examples = Self.schemaExamples(yaml)
        // then
        #expect(examples.count >= 6)
        for (name, schema) in examples {
            for key in schema.required {
                #expect(schema.example.contains("\(key):"), "example of \(name) lacks \(key)")
            }
        }
    }
}
