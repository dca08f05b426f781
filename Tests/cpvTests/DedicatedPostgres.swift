import CPVTestSupport
import ConsentStore
import Foundation

/// A small PostgreSQL cluster of its own for a test that stops and starts the server: restarting the
/// shared test cluster would cut every other test running in parallel.
///
/// Uses the same server binaries as `ops/postgres`; as root, PostgreSQL's programs run as the
/// `postgres` user (initdb and postgres refuse root), like `ops/postgres` does.
struct DedicatedPostgres {
    let folder: URL
    let port: Int
    let binaries: URL

    var data: URL { folder.appendingPathComponent("data") }
    var url: DatabaseURL { get throws { try DatabaseURL(parsing: "postgres://postgres@127.0.0.1:\(port)/postgres") } }

    /// Creates and starts a cluster in a fresh folder under /tmp.
    static func start() async throws -> DedicatedPostgres {
        let binaries = try findBinaries()
        let folder = URL(fileURLWithPath: "/tmp/cpv-pgtest-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try await run("/bin/chown", ["postgres:", folder.path]) }
        var cluster = DedicatedPostgres(folder: folder, port: 0, binaries: binaries)
        try await cluster.asOwner(
            "initdb", ["-D", cluster.data.path, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        // A free port: a few random tries, as `ops/postgres` does.
        for _ in 0..<5 {
            cluster = DedicatedPostgres(folder: folder, port: Int.random(in: 40_000..<60_000), binaries: binaries)
            do {
                try await cluster.startServer()
                return cluster
            } catch {
                continue
            }
        }
        throw TestDatabaseError("the dedicated PostgreSQL did not start; see \(folder.path)/server.log")
    }

    func startServer() async throws {
        let options = "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories=\(folder.path) "
            + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        try await asOwner("pg_ctl", ["-D", data.path, "-l", folder.appendingPathComponent("server.log").path, "-o", options, "-w", "-t", "60", "start"])
    }

    /// Stops the server the way an operator's restart does: open connections are cut at once.
    func stopServer() async throws {
        try await asOwner("pg_ctl", ["-D", data.path, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    /// Stops the server (if running) and deletes the cluster.
    func remove() async {
        try? await asOwner("pg_ctl", ["-D", data.path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    private func asOwner(_ program: String, _ arguments: [String]) async throws {
        let path = binaries.appendingPathComponent(program).path
        if getuid() == 0 {
            try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try await Self.run(path, arguments)
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Reaped here with waitpid: Foundation's Process was seen leaving `runuser` a zombie with
        // `isRunning` true for ever once `pg_ctl` had started the server.
        let pid = process.processIdentifier
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped == -1 {
                // Foundation reaped it first: its own record holds the status.
                while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
                status = process.terminationStatus << 8
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw TestDatabaseError("\(executable) \(arguments.joined(separator: " ")) ended with wait status \(status)")
        }
    }

    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let newest = versions.compactMap(Int.init).max()
        guard let newest else { throw TestDatabaseError("no PostgreSQL server binaries under /usr/lib/postgresql") }
        return root.appendingPathComponent("\(newest)/bin")
    }
}
