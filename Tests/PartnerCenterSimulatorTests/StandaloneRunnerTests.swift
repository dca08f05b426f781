import AsyncHTTPClient
import Foundation
import Logging
import PartnerCenterSimulator
import Testing

/// The `cpv simulator` entry point: serves on a free port, reports its URL, stops when cancelled.
@Suite struct StandaloneRunnerTests {
    @Test func runStandaloneServesOnPortZeroAndStopsWhenCancelled() async throws {
        // given
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let world = SimulatorWorld.generated(seed: 1, partners: 1, customersPerPartner: 2)
        let logger: Logger = {
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            return logger
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await PartnerCenterSimulator.runStandalone(host: "127.0.0.1", port: 0, world: world, logger: logger) { url in
                    continuation.yield(url)
                }
            }
            var iterator = urls.makeAsyncIterator()
            let base = try #require(await iterator.next())
            // when
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/_sim/health"), timeout: .seconds(10))
            group.cancelAll()
            try await group.waitForAll()
            // then
            #expect(response.status.code == 200)
            #expect(base.hasPrefix("http://127.0.0.1:"))
        }
    }
}
