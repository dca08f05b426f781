import AdminServer
import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct GrantSetRoutesTests {
    let appID = TestEnvironment.applicationID

    func app(_ client: PostgresClient) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        GrantSetRoutes(grantSets: GrantSetRepository(client: client)).register(on: router.group("api/v1").add(middleware: ActAsStaff(role: .admin)))
        return Application(router: router)
    }

    func body(_ json: String) -> ByteBuffer { ByteBuffer(string: json) }

    @Test func postPublishesTheNextVersion() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let app = app(client)
            let json = """
                {"applicationId":"\(appID)","displayName":"CPV","grants":[
                 {"enterpriseApplicationId":"00000003-0000-0000-c000-000000000000","scope":"Directory.Read.All,User.Read.All"}]}
                """

            try await app.test(.router) { http in
                // when
                try await http.execute(uri: "/api/v1/grant-sets", method: .post, body: body(json)) { response in
                    // then
                    #expect(response.status == .created)
                    let text = String(buffer: response.body)
                    #expect(text.contains("\"version\":1"))
                    #expect(text.contains("\"scope\":\"Directory.Read.All,User.Read.All\""))
                }
            }
        }
    }

    @Test func postRefusesTheLegacyAzureADGraphWithTheField() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let app = app(client)
            let json = """
                {"applicationId":"\(appID)","displayName":"CPV","grants":[
                 {"enterpriseApplicationId":"00000002-0000-0000-c000-000000000000","scope":"Directory.Read"}]}
                """

            try await app.test(.router) { http in
                // when
                try await http.execute(uri: "/api/v1/grant-sets", method: .post, body: body(json)) { response in
                    // then
                    #expect(response.status == .unprocessableContent)
                    let text = String(buffer: response.body)
                    #expect(text.contains("\"code\":\"validation_failed\""))
                    #expect(text.contains("\"field\":\"grants[0].enterpriseApplicationId\""))
                    #expect(text.contains("\"reason\":\"deprecated_resource\""))
                }
            }
        }
    }

    @Test func getListsVersionsNewestFirst() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given
            let repository = GrantSetRepository(client: client)
            let seeded = try await repository.seedIfEmpty(
                applicationID: try #require(ApplicationID(appID)), displayName: "CPV", graphScopes: ["User.Read"],
                logger: TestDatabase.logger)
            let app = app(client)
            let json = #"{"displayName":"CPV v2","grants":[{"enterpriseApplicationId":"797f4846-ba00-4fd7-ba43-dac1f8f63013","scope":"user_impersonation"}]}"#

            try await app.test(.router) { http in
                // when: a second version without applicationId keeps the current one
                try await http.execute(uri: "/api/v1/grant-sets", method: .post, body: body(json)) { response in
                    #expect(response.status == .created)
                    #expect(String(buffer: response.body).contains("\"applicationId\":\"\(seeded.applicationID)\""))
                }
                try await http.execute(uri: "/api/v1/grant-sets", method: .get) { response in
                    // then
                    #expect(response.status == .ok)
                    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let versions = (object?["items"] as? [[String: Any]])?.compactMap { $0["version"] as? Int }
                    #expect(versions == [2, 1])
                }
            }
        }
    }
}

/// Stands in for `StaffAuthMiddleware`: every request is made by a staff member with `role`.
struct ActAsStaff: RouterMiddleware {
    typealias Context = AppRequestContext
    let role: StaffRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.staff = StaffMember(tokenID: 1, name: "test", role: role)
        return try await next(request, context)
    }
}
