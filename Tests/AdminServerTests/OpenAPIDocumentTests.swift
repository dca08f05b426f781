import AdminServer
import CPVTestSupport
import ConsentDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/openapi.yaml` stays true: its operations are exactly the live router's `/api/` routes (and
/// the public ones it documents), every example satisfies its schema, and what the running server
/// answers — errors and, on seeded data, successes — satisfies the documented response schema.
@Suite struct OpenAPIDocumentTests {
    static let document: JSONValue = (try? OpenAPIFile.parse(OpenAPIFile.text())) ?? .null
    static let methods = ["get", "post", "put", "patch", "delete"]

    /// `METHOD /path` of every operation in the document.
    static var operations: Set<String> {
        var result: Set<String> = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in methods where item[method] != nil { result.insert("\(method.uppercased()) \(path)") }
        }
        return result
    }

    /// The schema of the JSON response `status` of an operation (its own code, else `default`).
    static func responseSchema(method: String, path: String, status: Int) -> JSONValue? {
        guard let responses = document["paths"]?[path]?[method.lowercased()]?["responses"] else { return nil }
        guard var response = responses[String(status)] ?? responses["default"] else { return nil }
        if let ref = response["$ref"]?.stringValue, let target = SchemaValidator(document: document).resolve(ref) { response = target }
        return response["content"]?["application/json"]?["schema"]
    }

    /// Checks `body` against the documented schema; `nil` when the answer is not JSON.
    static func violations(method: HTTPRequest.Method, path: String, status: HTTPResponse.Status, contentType: String?, body: String) -> [String]? {
        guard contentType?.hasPrefix("application/json") == true else { return nil }
        guard let schema = responseSchema(method: method.rawValue, path: path, status: status.code) else {
            return ["\(method) \(path) \(status.code): no JSON response documented"]
        }
        guard let value = try? JSONValue.parse(json: body) else { return ["\(method) \(path): the body is not JSON: \(body.prefix(200))"] }
        return SchemaValidator(document: document).errors(value, schema)
    }

    @Test func theDocumentIsOpenAPI31() throws {
        let parsed = try OpenAPIFile.parse(try OpenAPIFile.text())
        #expect(parsed["openapi"] == .string("3.1.0"))
        #expect(parsed["info"]?["title"]?.stringValue?.isEmpty == false)
        #expect(Self.operations.count >= 30)
    }

    @Test func theDocumentAndTheLiveRouterAgree() async throws {
        try await IdentityHarness.run { h in
            // given
            let live = Set(h.routes.map(\.description))
            let documented = Self.operations
            // then: every API route documented; every documented operation routed
            #expect(live.filter { $0.contains(" /api/") }.subtracting(documented).isEmpty, "routed but not documented")
            #expect(documented.subtracting(live).isEmpty, "documented but not routed")
            let served = try await h.client.execute(uri: "/openapi.yaml", method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(served.0 == .ok)
            let checkedIn = try OpenAPIFile.text()
            #expect(served.1 == checkedIn, "the server serves the checked-in document as is")
        }
    }

    @Test func everyDocumentedOperationAnswersWithItsDocumentedShape() async throws {
        try await IdentityHarness.run { h in
            for operation in Self.operations.sorted() {
                let parts = operation.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0])) ?? .get
                let template = String(parts[1])
                let path = try #require(RouteTable.concrete(template), "\(operation) has no placeholder")
                // when: ids that exist nowhere, no body
                var headers: HTTPFields = [.authorization: "Bearer \(h.adminToken)"]
                if method == .post { headers[.contentType] = "application/json" }
                let (status, contentType, body) = try await h.client.execute(uri: path, method: method, headers: headers) {
                    ($0.status, $0.headers[.contentType], String(buffer: $0.body))
                }
                // then: not the router's own 404/405, no 5xx, and the body as documented
                #expect(!(status == .notFound && body.contains("\"message\":\"Not Found\"")), "\(operation) is not routed")
                #expect(status != .methodNotAllowed, "\(operation) is not routed")
                #expect(status.code < 500 || template == "/readyz", "\(operation) answered \(status)")
                let violations = Self.violations(method: method, path: template, status: status, contentType: contentType, body: body) ?? []
                #expect(violations.isEmpty, "\(operation) \(status.code): \(violations)")
            }
        }
    }

    @Test func seededAnswersMatchTheirSchemas() async throws {
        try await IdentityHarness.run { h in
            // given: partners, customers with consents, a token, a dry run
            let (partner, _) = try await ReadAPITests.seed(h.database)
            let partnerID = partner.uuidString.lowercased()
            var checked = 0
            func check(_ method: HTTPRequest.Method, _ template: String, _ path: String, json: String? = nil) async throws -> JSONValue? {
                var headers: HTTPFields = [.authorization: "Bearer \(h.adminToken)"]
                if json != nil { headers[.contentType] = "application/json" }
                let (status, contentType, body) = try await h.client.execute(
                    uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
                ) { ($0.status, $0.headers[.contentType], String(buffer: $0.body)) }
                #expect(status.code < 300, "\(method) \(path): \(status) \(body.prefix(300))")
                let violations = Self.violations(method: method, path: template, status: status, contentType: contentType, body: body)
                #expect(violations == [], "\(method) \(path): \(violations ?? ["not JSON"])")
                checked += 1
                return try? JSONValue.parse(json: body)
            }
            let plan = try await check(.post, "/api/v1/runs", "/api/v1/runs", json: #"{"scope":{"partnerIds":["\#(partnerID)"]},"dryRun":true}"#)
            let runID = try #require(plan?["run"]?["id"]?.stringValue)
            _ = try await check(.post, "/api/v1/tokens", "/api/v1/tokens", json: #"{"name":"ci","role":"viewer"}"#)
            let customers = try await check(.get, "/api/v1/customers", "/api/v1/customers?limit=2")
            let customerID = try #require(customers?["items"]?.arrayValue?.first?["id"])
            #expect(customers?["nextCursor"]?.stringValue != nil)
            // when / then
            for (template, path) in [
                ("/api/v1/partners", "/api/v1/partners"),
                ("/api/v1/partners/{id}", "/api/v1/partners/\(partnerID)"),
                ("/api/v1/customers", "/api/v1/customers?partnerId=\(partnerID)&state=granted"),
                ("/api/v1/customers/{id}", "/api/v1/customers/\(customerID)"),
                ("/api/v1/grant-sets", "/api/v1/grant-sets"),
                ("/api/v1/audit", "/api/v1/audit?limit=5"),
                ("/api/v1/audit/verify", "/api/v1/audit/verify"),
                ("/api/v1/tokens", "/api/v1/tokens"),
                ("/api/v1/runs", "/api/v1/runs"),
                ("/api/v1/runs/{id}", "/api/v1/runs/\(runID)"),
                ("/api/v1/runs/{id}/tasks", "/api/v1/runs/\(runID)/tasks"),
            ] {
                _ = try await check(.get, template, path)
            }
            for name in ReportRoutes.names {
                _ = try await check(.get, "/api/v1/reports/{name}", "/api/v1/reports/\(name)")
            }
            _ = try await check(.post, "/api/v1/partners/{id}/disable", "/api/v1/partners/\(partnerID)/disable", json: #"{"reason":"test"}"#)
            #expect(checked == 23)
        }
    }

    @Test func everyExampleSatisfiesItsSchema() {
        // given
        let validator = SchemaValidator(document: Self.document)
        var examples: [(String, JSONValue, JSONValue)] = []
        func walk(_ node: JSONValue, _ path: String) {
            guard let members = node.objectValue else {
                for (offset, item) in (node.arrayValue ?? []).enumerated() { walk(item, "\(path)[\(offset)]") }
                return
            }
            if let example = members["example"] {
                // A media type's example is checked against its `schema`; a schema's against itself.
                examples.append((path, example, members["schema"] ?? .object(members.filter { $0.key != "example" })))
            }
            for (key, child) in members where key != "example" { walk(child, "\(path).\(key)") }
        }
        walk(Self.document, "$")
        // then
        #expect(examples.count >= 12)
        for (path, example, schema) in examples {
            let errors = validator.errors(example, schema)
            #expect(errors.isEmpty, "example at \(path): \(errors)")
        }
    }

    @Test func theValidatorRejectsWhatTheSchemasForbid() throws {
        // given
        let validator = SchemaValidator(document: Self.document)
        let customer: JSONValue = .object(["$ref": .string("#/components/schemas/Customer")])
        let valid = try #require(Self.document["components"]?["schemas"]?["Customer"]?["example"]?.objectValue)
        // then
        #expect(validator.errors(.object(valid), customer).isEmpty)
        var missing = valid
        missing["tenantId"] = nil
        #expect(validator.errors(.object(missing), customer) == ["$: required tenantId is missing"])
        var badState = valid
        badState["consent"] = .object(["state": .string("bogus"), "attempts": .integer(1)])
        #expect(validator.errors(.object(badState), customer).count == 1)
        var badType = valid
        badType["id"] = .string("42")
        #expect(validator.errors(.object(badType), customer).count == 1)
        var badUUID = valid
        badUUID["partnerId"] = .string("not-a-uuid")
        #expect(validator.errors(.object(badUUID), customer).count == 1)
        let scope: JSONValue = .object(["$ref": .string("#/components/schemas/RunScope")])
        #expect(validator.errors(.object(["all": .bool(true)]), scope).isEmpty)
        #expect(validator.errors(.object(["all": .bool(true), "drift": .bool(true)]), scope).count == 1)
        #expect(validator.errors(.string("x"), .object(["minLenght": .integer(1)])) == ["$: unsupported schema keyword minLenght"])
    }
}
