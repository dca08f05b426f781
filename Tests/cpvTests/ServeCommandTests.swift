import CPVTestSupport
import ConsentStore
import Foundation
import Testing

/// `cpv serve` as a real process: it binds, reports ready, and stops cleanly on SIGTERM.
@Suite struct ServeCommandTests {
    @Test func serveBecomesReadyAndShutsDownGracefullyOnSIGTERM() async throws {
        try await TestDatabase.withEmptyDatabase { _, url in
            // given
            let environment = TestEnvironment.server(
                database: url, overrides: ["CPV_LOG_FORMAT": "json", "CPV_LOG_LEVEL": "info"])
            let process = try CLIProcess.start(["serve", "--migrate"], environment: environment)
            // when
            let listening = await process.waitForError(containing: "cpv serve is listening")
            #expect(listening, "server did not start: \(process.errors())")
            let port = try #require(Self.port(fromLogs: process.errors()))
            let (status, body) = try await HTTPProbe.get("http://127.0.0.1:\(port)/readyz")
            process.terminate(signal: SIGTERM)
            await process.waitUntilExit(timeout: .seconds(30))
            // then
            #expect(status == 200)
            #expect(body.contains("\"status\":\"ready\""))
            #expect(process.status == 0, "exit status \(process.status): \(process.errors())")
            for line in process.errors().split(separator: "\n") {
                #expect(line.hasPrefix("{\"ts\":"), "not a JSON log line: \(line)")
            }
        }
    }

    static func port(fromLogs logs: String) -> Int? {
        guard let range = logs.range(of: #""cpv.address":"127.0.0.1:"#) else { return nil }
        return Int(logs[range.upperBound...].prefix { $0.isNumber })
    }
}
