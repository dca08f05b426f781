import ArgumentParser

/// The `cpv` command line. Other subcommands join as their modules land.
struct CPV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpv",
        abstract: "CPV consent orchestrator.",
        subcommands: [SimulatorCommand.self]
    )
}

await CPV.main()
