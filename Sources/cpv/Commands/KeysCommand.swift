import ArgumentParser
import ConsentStore

/// `cpv keys`: sealing-key chores.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the keys that seal partner refresh tokens.",
        subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random AES-256 key as kid:base64, ready for CPV_SEALING_KEYS.")

        @Option(help: "Key id to give the new key (letters, digits, - _ .).")
        var id = "k1"

        func run() async throws {
            print(SealingKeyRing.generateEntry(id: id).revealed)
        }
    }
}
