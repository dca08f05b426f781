import ArgumentParser

/// The `cpv` command line. Other subcommands join as their modules land.
///
/// `@main` rather than `main.swift`: ArgumentParser runs an async root command only from `@main`.
@main
struct CPV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpv",
        abstract: "CPV consent orchestrator.",
        subcommands: [SimulatorCommand.self]
    )
}
