import AdminServer
import Composition
import CPVTestSupport
import ConsentStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct HealthRoutesTests {
    func configuration(_ url: DatabaseURL) throws -> AppConfiguration {
        try AppConfiguration(environment: TestEnvironment.server(database: url), purpose: .server)
    }

    @Test func healthzAnswersWhileTheProcessIsUp() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            let app = try await buildApplication(configuration: try configuration(url), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("\"status\":\"ok\""))
                }
            }
        }
    }

    @Test func readyzIsReadyWhenTheDatabaseIsMigrated() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            let app = try await buildApplication(configuration: try configuration(url), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"status\":\"ready\""))
                    #expect(body.contains("\"pending\":0"))
                }
            }
        }
    }

    @Test func readyzIsNotReadyWhileMigrationsArePending() async throws {
        try await TestDatabase.withEmptyDatabase { _, url in
            let app = try await buildApplication(configuration: try configuration(url), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"status\":\"not_ready\""))
                    #expect(body.contains("\"applied\":0"))
                }
            }
        }
    }

    @Test func migrateOnBootMakesAnEmptyDatabaseReady() async throws {
        try await TestDatabase.withEmptyDatabase { _, url in
            let app = try await buildApplication(
                configuration: try configuration(url), logger: TestDatabase.logger, options: .init(migrateOnBoot: true))
            try await app.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func metricsAreServedInPrometheusTextFormat() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            let app = try await buildApplication(configuration: try configuration(url), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    #expect(String(buffer: response.body).contains("cpv_build_info{version=\""))
                }
            }
        }
    }

    @Test func anUnknownRouteAnswersTheJSONErrorShape() async throws {
        try await TestDatabase.withMigratedDatabase { _, url in
            let app = try await buildApplication(configuration: try configuration(url), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/nothing-here", method: .get) { response in
                    #expect(response.status == .notFound)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"code\":\"not_found\""))
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
            }
        }
    }
}
