import ConsentStore
import Foundation
import Hummingbird
import Logging
import Orchestrator
import PostgresNIO

/// `/healthz` answers while the process is up; `/readyz` only while the database answers and its
/// schema is exactly what this binary's migrations describe (so a load balancer keeps traffic
/// away from a pod whose migration job has not run yet).
struct HealthRoutes {
    let database: PostgresClient
    let migrations: MigrationRunner
    /// How long a readiness probe may wait for the database before answering "not ready".
    let probeTimeout: Duration

    struct Readiness: Encodable {
        struct Migrations: Encodable {
            let applied: Int
            let pending: Int
            let problems: [String]
        }
        let status: String
        let database: String
        let migrations: Migrations?
    }

    /// `readiness: false` leaves `/readyz` to the internal address (`CPV_INTERNAL_HTTP_PORT`).
    func register(on router: Router<AppRequestContext>, readiness withReadiness: Bool = true) {
        router.get("/healthz") { _, _ in
            Self.json(["status": "ok"], status: .ok)
        }
        guard withReadiness else { return }
        router.get("/readyz") { _, context in
            let readiness = await readiness(logger: context.logger)
            return Self.json(readiness, status: readiness.status == "ready" ? .ok : .serviceUnavailable)
        }
    }

    func readiness(logger: Logger) async -> Readiness {
        do {
            let status = try await withDeadline(probeTimeout) {
                try await migrations.status(client: database, logger: logger)
            }
            let problems = status.problems.map(\.description)
            let ready = status.isCurrent
            return Readiness(
                status: ready ? "ready" : "not_ready", database: "ok",
                migrations: .init(applied: status.applied.count, pending: status.pending.count, problems: problems))
        } catch {
            logger.warning("readiness probe: database unavailable", metadata: ["cpv.error": "\(String(reflecting: error))"])
            return Readiness(status: "not_ready", database: "unavailable", migrations: nil)
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
