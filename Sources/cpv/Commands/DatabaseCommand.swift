import Composition
import ArgumentParser
import ConsentStore
import Foundation
import Logging
import PostgresNIO

/// `cpv db roles`: the owner and application roles of a deployment (docs/operations.md).
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database administration.", subcommands: [Roles.self])

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or repair the owner role (migrations) and the application role (serve, worker).",
            discussion: """
                Run with CPV_DATABASE_URL pointing at the service's database as a superuser (or a role with \
                CREATEROLE that administers both roles). Idempotent: run it again after each upgrade. Then run \
                `cpv migrate` with the owner's URL and `cpv serve` / `cpv worker` with the application role's URL: \
                that role may read and append to the audit trail but never change or delete an event.
                """)

        @Option(help: "The role that owns every object and runs `cpv migrate`.")
        var owner = "cpv_owner"

        @Option(help: "The role of `cpv serve` and `cpv worker`.")
        var app = "cpv_app"

        func run() async throws {
            let roles: DatabaseRoles
            do {
                roles = try DatabaseRoles(owner: owner, application: app)
            } catch {
                throw ValidationError(error.description)
            }
            let configuration = try Bootstrap.configuration(.databaseOnly)
            let logger = Bootstrap.logger(configuration)
            try await DatabaseProbe.check(configuration.database, logger: logger)
            do {
                try await withPostgresClient(configuration.database.clientConfiguration(), logger: logger) { client in
                    try await roles.apply(client: client, logger: logger)
                }
            } catch let error as PSQLError {
                // The server's message says which privilege or role is at fault; it holds no secret.
                throw ExitFailure(.failure, "cannot set up the roles: \(error.serverInfo?[.message] ?? "\(error.code)")")
            }
            print(
                """
                database \(configuration.database.database): owner \(roles.owner), application role \(roles.application)
                next: `cpv migrate` as \(roles.owner); `cpv serve` and `cpv worker` as \(roles.application) \
                (set their passwords with \\password in psql, or use certificate or peer authentication)
                """)
        }
    }
}
