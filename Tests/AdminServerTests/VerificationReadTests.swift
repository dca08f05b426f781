import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// Stored Graph readings as the API and the drift report show them (issue #16).
@Suite struct VerificationReadTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Writes readings for `ReadAPITests.seed`'s customers Contoso 1–4 through the consent write
    /// path: Contoso 1 and 2 miss the same scope, Contoso 3 is unknown (Graph 429) after having been
    /// verified, Contoso 4 is verified. Returns the customers' ids by name.
    static func seed(_ client: PostgresClient) async throws -> [String: Int64] {
        _ = try await ReadAPITests.seed(client)
        var ids: [String: Int64] = [:]
        for row in try await client.query("SELECT id, company_name FROM customers", logger: TestDatabase.logger).collect() {
            let (id, name) = try row.decode((Int64, String).self)
            ids[name] = id
        }
        let drift = [ResourceDifference(applicationID: .microsoftGraph, missingScopes: ["Mail.Read"], extraScopes: [])]
        let readings: [(String, ConsentVerification)] = [
            ("Contoso 1", ConsentVerification(state: .drifted, checkedAt: now, resources: drift, servicePrincipalID: "sp1")),
            ("Contoso 2", ConsentVerification(state: .drifted, checkedAt: now.addingTimeInterval(60), resources: drift, servicePrincipalID: "sp2")),
            ("Contoso 3", ConsentVerification(state: .verified, checkedAt: now.addingTimeInterval(-3_600), servicePrincipalID: "sp3")),
            ("Contoso 3", .unknown(code: "graph_429", reason: "Graph answered 429 (Retry-After 7 s)", at: now)),
            ("Contoso 4", ConsentVerification(state: .verified, checkedAt: now, servicePrincipalID: "sp4")),
        ]
        let consents = ConsentStateRepository(client: client, audit: TestAudit.writer)
        for (name, reading) in readings {
            let id = try #require(ids[name])
            try await consents.apply(
                [ConsentWrite(customerID: id, change: nil, audit: [], verification: VerificationWrite(verification: reading, grantSetVersion: 2))],
                logger: TestDatabase.logger)
        }
        return ids
    }

    @Test func theCustomerDetailCarriesItsLastReadingOrNull() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let ids = try await Self.seed(client)
            try await ReadAPITests().app(client).test(.router) { http in
                // when
                let drifted = try await http.execute(uri: "/api/v1/customers/\(ids["Contoso 1"] ?? 0)", method: .get) { ReadAPITests.json($0.body) }
                let unknown = try await http.execute(uri: "/api/v1/customers/\(ids["Contoso 3"] ?? 0)", method: .get) { ReadAPITests.json($0.body) }
                let never = try await http.execute(uri: "/api/v1/customers/\(ids["Contoso 5"] ?? 0)", method: .get) { $0.body }

                // then
                let reading = drifted["verification"] as? [String: Any]
                #expect(reading?["state"] as? String == "drifted")
                #expect(reading?["grantSetVersion"] as? Int == 2)
                #expect(reading?["servicePrincipalId"] as? String == "sp1")
                let resources = reading?["resources"] as? [[String: Any]] ?? []
                #expect(resources.first?["applicationId"] as? String == "00000003-0000-0000-c000-000000000000")
                #expect(resources.first?["missingScopes"] as? [String] == ["Mail.Read"])
                #expect(resources.first?["extraScopes"] as? [String] == [])
                let unread = unknown["verification"] as? [String: Any]
                #expect(unread?["state"] as? String == "unknown")
                #expect(unread?["code"] as? String == "graph_429")
                #expect(unread?["lastKnownState"] as? String == "verified")
                #expect(String(buffer: never).contains("\"verification\":null"))
            }
        }
    }

    @Test func theDriftReportGroupsByWhatDiffersAndNeverListsVerified() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let ids = try await Self.seed(client)
            let router = Router(context: AppRequestContext.self)
            ReportRoutes(database: client).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: .viewer)))
            try await Application(router: router).test(.router) { http in
                // when
                let body = try await http.execute(uri: "/api/v1/reports/drift", method: .get) { ReadAPITests.json($0.body) }
                let csv = try await http.execute(uri: "/api/v1/reports/drift?format=csv", method: .get) { String(buffer: $0.body) }

                // then one group of two drifted customers (largest first), one unknown, no verified
                let rows = body["rows"] as? [[String: Any]] ?? []
                #expect(rows.count == 2)
                #expect(rows.first?["state"] as? String == "drifted")
                #expect(rows.first?["customers"] as? Int == 2)
                #expect(rows.first?["partners"] as? Int == 1)
                #expect(rows.first?["difference"] as? String == "00000003-0000-0000-c000-000000000000: missing Mail.Read")
                #expect(rows.first?["sample_customer_ids"] as? String == "\(ids["Contoso 1"] ?? 0) \(ids["Contoso 2"] ?? 0)")
                #expect(rows.last?["state"] as? String == "unknown")
                #expect(rows.last?["code"] as? String == "graph_429")
                #expect(csv.hasPrefix("state,code,difference,customers,partners"))
            }
        }
    }
}
