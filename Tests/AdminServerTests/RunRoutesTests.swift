import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Orchestrator
import PostgresNIO
import Testing

/// The run routes' roles, confirmation and error mapping (the runs themselves are the orchestrator's tests).
@Suite struct RunRoutesTests {
    func app(_ client: PostgresClient, role: StaffRole) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        RunRoutes(service: RunService(runs: RunRepository(client: client, audit: TestAudit.writer))).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: role)))
        return Application(router: router)
    }

    func body(_ json: String) -> ByteBuffer { ByteBuffer(string: json) }

    @Test func aRevokeRunNeedsTheAdminRole() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client, role: .operator).test(.router) { http in
                // when
                let json = #"{"scope":{"all":true},"action":"revoke","confirm":"revoke"}"#
                try await http.execute(uri: "/api/v1/runs", method: .post, headers: [.contentType: "application/json"], body: body(json)) { response in
                    // then
                    #expect(response.status == .forbidden)
                }
            }
        }
    }

    @Test(arguments: ["pause", "cancel"])
    func anOperatorCannotSteerARevokeRun(_ command: String) async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: a revoke run an admin started
            let run = try await RunRepository(client: client, audit: TestAudit.writer).create(
                .init(scope: .all, action: .revoke), actor: "staff:admin#1", logger: TestDatabase.logger)
            try await app(client, role: .operator).test(.router) { http in
                // when
                let status = try await http.execute(uri: "/api/v1/runs/\(run.run.id)/\(command)", method: .post) { $0.status }
                // then
                #expect(status == .forbidden)
            }
        }
    }

    @Test func anAdminSteersARevokeRunAndAnOperatorAGrantRun() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: a revoke run and a (dry) grant run over no customers: both finish at once, so the
            // answer is the transition's refusal, which comes after the role check
            let runs = RunRepository(client: client, audit: TestAudit.writer)
            let revoke = try await runs.create(.init(scope: .all, action: .revoke), actor: "staff:admin#1", logger: TestDatabase.logger)
            let grant = try await runs.create(.init(scope: .all, action: .grant, dryRun: true), actor: "staff:admin#1", logger: TestDatabase.logger)
            // when
            let byAdmin = try await app(client, role: .admin).test(.router) { http in
                try await http.execute(uri: "/api/v1/runs/\(revoke.run.id)/pause", method: .post) { $0.status }
            }
            let byOperator = try await app(client, role: .operator).test(.router) { http in
                try await http.execute(uri: "/api/v1/runs/\(grant.run.id)/pause", method: .post) { $0.status }
            }
            // then: past the role check, refused only because the runs are already over
            #expect(byAdmin == .conflict)
            #expect(byOperator == .conflict)
        }
    }

    @Test func runsAreShownWithLowerCaseGUIDs() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a dry run over one partner
            let partner = UUID()
            let json = #"{"scope":{"partnerIds":["\#(partner.uuidString)"]},"dryRun":true}"#
            try await app(client, role: .operator).test(.router) { http in
                // when
                let created = try await http.execute(uri: "/api/v1/runs", method: .post, headers: [.contentType: "application/json"], body: body(json)) {
                    String(buffer: $0.body)
                }
                let id = try #require(UUID(uuidString: String(created.split(separator: "\"id\":\"")[1].prefix(36))))
                let shown = try await http.execute(uri: "/api/v1/runs/\(id)", method: .get) { String(buffer: $0.body) }
                // then: the run's id and the scope's partner id print as Microsoft prints GUIDs
                for body in [created, shown] {
                    #expect(body.contains(id.uuidString.lowercased()), "\(body)")
                    #expect(body.contains(partner.uuidString.lowercased()), "\(body)")
                    #expect(!body.contains(id.uuidString) && !body.contains(partner.uuidString), "no upper-case GUID: \(body)")
                }
            }
        }
    }

    /// Found by ops/fuzz-api: a maxConcurrency above Int32 used to trap the server process.
    @Test func anOutOfRangeConcurrencyIsRefusedNotACrash() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client, role: .operator).test(.router) { http in
                for value in ["0", "10001", "3000000000"] {
                    // when
                    let json = #"{"scope":{"all":true},"dryRun":true,"maxConcurrency":\#(value)}"#
                    try await http.execute(uri: "/api/v1/runs", method: .post, headers: [.contentType: "application/json"], body: body(json)) { response in
                        // then
                        #expect(response.status == .badRequest, "maxConcurrency \(value)")
                        #expect(String(buffer: response.body).contains("invalid_max_concurrency"))
                    }
                }
            }
        }
    }

    @Test func aRevokeRunNeedsTheConfirmation() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client, role: .admin).test(.router) { http in
                // when
                let json = #"{"scope":{"all":true},"action":"revoke"}"#
                try await http.execute(uri: "/api/v1/runs", method: .post, headers: [.contentType: "application/json"], body: body(json)) { response in
                    // then
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("\"code\":\"confirmation_required\""))
                }
            }
        }
    }

    @Test func aDryRunIsCreatedShownAndCannotBeResumed() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            try await app(client, role: .operator).test(.router) { http in
                // when
                let created = try await http.execute(
                    uri: "/api/v1/runs", method: .post, headers: [.contentType: "application/json"], body: body(#"{"scope":{"all":true},"dryRun":true}"#))
                let run = try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any]
                let id = (run?["run"] as? [String: Any])?["id"] as? String ?? "missing"
                let shown = try await http.execute(uri: "/api/v1/runs/\(id)", method: .get)
                let resumed = try await http.execute(uri: "/api/v1/runs/\(id)/resume", method: .post)

                // then
                #expect(created.status == .created)
                #expect(run?["planned"] as? Int == 0)
                #expect(shown.status == .ok)
                #expect(resumed.status == .conflict)
                #expect(String(buffer: resumed.body).contains("\"code\":\"illegal_run_transition\""))
            }
        }
    }
}
