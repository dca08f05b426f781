import CPVTestSupport
import Foundation

/// Runs the built `cpv` binary as a child process, as an operator would.
struct CLIProcess {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    static var executable: URL {
        get throws {
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cpv")
            let inBuildTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/cpv")
            for candidate in [besideTests, inBuildTree] where FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
            throw TestDatabaseError("cpv binary not found next to the tests (\(besideTests.path)); run swift build first")
        }
    }

    /// Runs to completion with exactly `environment` (plus PATH), returning its exit status and output.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Result {
        let process = try start(arguments, environment: environment)
        await process.waitUntilExit()
        return Result(status: process.status, standardOutput: process.output(), standardError: process.errors())
    }

    static func start(_ arguments: [String], environment: [String: String]) throws -> RunningProcess {
        try RunningProcess(executable: executable, arguments: arguments, environment: environment)
    }
}

/// A started child process whose output goes to temporary files, readable at any time.
struct RunningProcess {
    let process: Process
    let outputFile: URL
    let errorFile: URL

    init(executable: URL, arguments: [String], environment: [String: String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cpv-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        outputFile = folder.appendingPathComponent("stdout")
        errorFile = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var fullEnvironment = environment
        fullEnvironment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = fullEnvironment
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    var status: Int32 { process.terminationStatus }

    func output() -> String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    func errors() -> String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    func terminate(signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for exit without blocking a cooperative thread.
    func waitUntilExit(timeout: Duration = .seconds(60)) async {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits until the standard error contains `text`, or the deadline passes.
    func waitForError(containing text: String, timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if errors().contains(text) { return true }
            if !process.isRunning { return errors().contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
