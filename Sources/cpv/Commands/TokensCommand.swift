import Composition
import ArgumentParser
import ConsentDomain
import ConsentStore
import Foundation

/// `cpv tokens`: staff API tokens, managed directly in the database (the first admin token has to
/// come from somewhere that needs no token).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke staff API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once and stored only as a hash.")

        @Option(help: "A name that identifies the token's holder in the audit trail.")
        var name: String

        @Option(help: "viewer (reads), operator (also re-grants and syncs) or admin (also partners, grant sets, tokens, keys).")
        var role: String

        @Option(help: "Days until the token stops working (1-365).")
        var expiresInDays = 90

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else {
                throw ValidationError("--role must be viewer, operator or admin")
            }
            guard (1...128).contains(name.count) else { throw ValidationError("--name must be 1-128 characters") }
            guard (1...365).contains(expiresInDays) else { throw ValidationError("--expires-in-days must be from 1 to 365") }
            let configuration = try Bootstrap.configuration(.server)
            let logger = Bootstrap.logger(configuration)
            let name = name
            let json = json
            let days = expiresInDays
            let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            try await AppServices.with(configuration: configuration, logger: logger) { services in
                let (summary, token): (StaffTokenRepository.TokenSummary, Secret<String>)
                do {
                    (summary, token) = try await services.staffTokens.create(
                        name: name, role: role, lifetimeDays: days, createdBy: "cli:\(user)", logger: logger)
                } catch let error as StaffTokenError {
                    throw ExitFailure(.dataError, error.description)
                }
                let expires = summary.expiresAt.formatted(Date.ISO8601FormatStyle())
                if json {
                    let fields: [String: Any] = [
                        "id": summary.id, "name": summary.name, "role": summary.role.rawValue, "token": token.revealed, "expiresAt": expires,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("created token \(summary.id) for \(summary.name) (\(summary.role.rawValue)), valid until \(expires); it is shown only now:")
                    print(token.revealed)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their values).")

        func run() async throws {
            let configuration = try Bootstrap.configuration(.server)
            let logger = Bootstrap.logger(configuration)
            try await AppServices.with(configuration: configuration, logger: logger) { services in
                let tokens = try await services.staffTokens.list(logger: logger)
                print("ID    NAME                      ROLE      PREFIX    LAST USED             EXPIRES               STATUS")
                for token in tokens {
                    let lastUsed = token.lastUsedAt.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? "never"
                    print(
                        String(token.id).padding(toLength: 6, withPad: " ", startingAt: 0)
                            + token.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                            + token.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                            + token.prefix.padding(toLength: 10, withPad: " ", startingAt: 0)
                            + lastUsed.padding(toLength: 22, withPad: " ", startingAt: 0)
                            + token.expiresAt.formatted(Date.ISO8601FormatStyle()).padding(toLength: 22, withPad: " ", startingAt: 0)
                            + (token.revokedAt != nil ? "revoked" : token.isExpired() ? "expired" : "active"))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")

        @Argument(help: "The token id (see `cpv tokens list`).")
        var id: Int64

        func run() async throws {
            let configuration = try Bootstrap.configuration(.server)
            let logger = Bootstrap.logger(configuration)
            let id = id
            let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let revoked = try await AppServices.with(configuration: configuration, logger: logger) { services in
                try await services.staffTokens.revoke(id: id, actor: "cli:\(user)", logger: logger)
            }
            guard revoked else { throw ExitFailure(.failure, "no active token \(id)") }
            print("revoked token \(id)")
        }
    }
}
