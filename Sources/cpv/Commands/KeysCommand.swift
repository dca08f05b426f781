import ConsentDomain
import Composition
import ArgumentParser
import ConsentStore
import Foundation

/// `cpv keys`: sealing-key chores.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the keys that seal partner refresh tokens.",
        subcommands: [Generate.self, Rotate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random AES-256 key as kid:base64, ready for CPV_SEALING_KEYS.")

        @Option(help: "Key id to give the new key (letters, digits, - _ .).")
        var id = "k1"

        func run() async throws {
            print(SealingKeyRing.generateEntry(id: id).revealed)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every refresh token under the current (first) key of CPV_SEALING_KEYS.",
            discussion: """
                Online and resumable: run it after putting the new key first in CPV_SEALING_KEYS on every \
                process; when it reports nothing left, remove the old key.
                """)

        func run() async throws {
            let configuration = try Bootstrap.configuration(.server)
            let logger = Bootstrap.logger(configuration)
            let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let report = try await AppServices.with(configuration: configuration, logger: logger) { services in
                try await KeyRotator(repository: services.partners, sealer: services.sealer)
                    .rotateAll(actor: "cli:\(user)", logger: logger)
            }
            print("re-sealed \(report.resealed) token(s) under key \(configuration.sealingKeys?.current.id ?? "?")")
            if !report.unreadable.isEmpty {
                throw ExitFailure(
                    .dataError,
                    "\(report.unreadable.count) token(s) are sealed with a key that is no longer configured: "
                        + report.unreadable.map { $0.guidText }.joined(separator: ", "))
            }
        }
    }
}
