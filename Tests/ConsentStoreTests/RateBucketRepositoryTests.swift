import CPVTestSupport
import ConsentDomain
import ConsentStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The shared schedule, read from the slots it hands out on the database clock: the property the
/// governor promises, free of the scheduling jitter a loaded machine adds between a slot and the
/// request that leaves for it (the end-to-end check at the simulator is in `RunWorkerTests`).
@Suite struct RateBucketRepositoryTests {
    static let logger = TestDatabase.logger

    /// The most slots inside any half-open window of `window` seconds.
    static func peak(_ slots: [Date], window: TimeInterval) -> Int {
        let sorted = slots.sorted()
        var peak = 0
        var first = 0
        for (index, slot) in sorted.enumerated() {
            while slot.timeIntervalSince(sorted[first]) >= window { first += 1 }
            peak = max(peak, index - first + 1)
        }
        return peak
    }

    /// Reserves `total` slots from `reservers` concurrent tasks spread over `pools`, each taking
    /// blocks of a random size in `blocks`, and lowering the key's rate now and then as the
    /// controller would.
    static func reserveConcurrently(
        _ pools: [RateBucketRepository], key: String, reservers: Int, total: Int, blocks: ClosedRange<Int>, ceiling: Double,
        burst: Int, seed: UInt64
    ) async throws -> [Date] {
        try await withThrowingTaskGroup(of: [Date].self) { group in
            for reserver in 0..<reservers {
                let buckets = pools[reserver % pools.count]
                group.addTask {
                    var random = SeededRandom(seed: seed &+ UInt64(reserver))
                    var mine: [Date] = []
                    while mine.count < total / reservers {
                        let count = Int.random(in: blocks, using: &random)
                        let block = try await buckets.reserve(
                            key: key, count: count, ceiling: ceiling, burst: burst, adaptive: true, logger: Self.logger)
                        #expect(block.slots.count == count)
                        mine += block.slots.map(\.slot)
                        if Int.random(in: 0..<10, using: &random) == 0 {
                            // the controller moves the rate anywhere below the ceiling
                            let rate = Double.random(in: ceiling / 4...ceiling, using: &random)
                            try await buckets.client.query("UPDATE rate_buckets SET rate = \(rate) WHERE key = \(key)", logger: Self.logger)
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test(arguments: [(burst: 1, blocks: 1...1), (burst: 1, blocks: 1...6), (burst: 3, blocks: 1...4)])
    func concurrentReserversNeverPutMoreThanCeilingTimesWindowPlusBurstInAnyWindow(burst: Int, blocks: ClosedRange<Int>) async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            try await withPostgresClient(url.clientConfiguration(), logger: Self.logger) { second in
                try await withPostgresClient(url.clientConfiguration(), logger: Self.logger) { third in
                    // given three connection pools (as three processes would hold), twelve reservers
                    let pools = [client, second, third].map { RateBucketRepository(client: $0) }
                    let ceiling = 48.0

                    // when 240 slots are reserved in blocks while the rate moves below the ceiling
                    let slots = try await Self.reserveConcurrently(
                        pools, key: "consent:property", reservers: 12, total: 240, blocks: blocks, ceiling: ceiling, burst: burst,
                        seed: UInt64(burst * 100 + blocks.upperBound))

                    // then no window holds more than floor(ceiling × window) + burst slots
                    #expect(slots.count >= 240)
                    for window in [0.25, 0.5, 1.0, 2.0] {
                        let bound = SlotSchedule.bound(ceiling: ceiling, burst: burst, window: window)
                        #expect(Self.peak(slots, window: window) <= bound, "window \(window) s, burst \(burst), blocks \(blocks)")
                    }
                }
            }
        }
    }

    @Test func aLoweredCeilingAppliesToTheNextReservation() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a key at 100/s
            let buckets = RateBucketRepository(client: client)
            _ = try await buckets.reserve(key: "consent:lower", count: 2, ceiling: 100, burst: 1, logger: Self.logger)

            // when the configured ceiling drops to 10/s
            let block = try await buckets.reserve(key: "consent:lower", count: 3, ceiling: 10, burst: 1, logger: Self.logger)

            // then the new slots are a tenth of a second apart
            #expect(block.rate == 10)
            let spacing = block.slots[2].slot.timeIntervalSince(block.slots[1].slot)
            #expect(abs(spacing - 0.1) < 0.000_01, "spacing \(spacing)")
        }
    }

    @Test func aPausedKeyHandsOutNoSlotBeforeThePauseEnds() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a key in use
            let buckets = RateBucketRepository(client: client)
            _ = try await buckets.reserve(key: "listing:p", ceiling: 50, burst: 5, logger: Self.logger)

            // when Partner Center answers 429 with Retry-After: 2
            let pausedAt = Date()
            try await buckets.pause(key: "listing:p", seconds: 2, logger: Self.logger)
            let next = try await buckets.reserve(key: "listing:p", count: 2, ceiling: 50, burst: 5, logger: Self.logger)

            // then nothing goes before the pause has passed, and no burst follows it
            #expect(next.slots[0].slot.timeIntervalSince(pausedAt) >= 1.99, "slot \(next.slots[0].slot.timeIntervalSince(pausedAt)) s after")
            #expect(next.slots[1].slot.timeIntervalSince(next.slots[0].slot) >= 1.0 / 50 - 0.000_01)
        }
    }

    @Test func evaluationRunsTheControllerOverAnsweredWindowsAndStoresItsRate() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a consent key at 48/s and two processes' answers for one window: 12 of 48 throttled
            let buckets = RateBucketRepository(client: client)
            let key = "consent:eval"
            _ = try await buckets.reserve(key: key, ceiling: 48, burst: 1, adaptive: true, logger: Self.logger)
            let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 5).rounded(.down))
            try await buckets.record(key: key, windows: [RateWindow(start: start, calls: 30, throttled: 8, maxRetryAfter: 1)], logger: Self.logger)
            try await buckets.record(key: key, windows: [RateWindow(start: start, calls: 18, throttled: 4, maxRetryAfter: 2)], logger: Self.logger)

            // when the controller runs
            let evaluation = try #require(try await buckets.evaluate(key: key, ceiling: 48, window: 1, lag: 0.5, logger: Self.logger))

            // then it saw one window of 48 calls with 12 throttled, halved the rate to probe, and the
            // next reservation runs at the new rate
            #expect(evaluation.windows == [RateWindow(start: start, calls: 48, throttled: 12, maxRetryAfter: 2)])
            #expect(evaluation.decisions.map(\.reason) == [.probeDown])
            let block = try await buckets.reserve(key: key, count: 2, ceiling: 48, burst: 1, adaptive: true, logger: Self.logger)
            #expect(block.rate == 24)
            // and an answer for that window arriving now is dropped: it was judged already
            try await buckets.record(key: key, windows: [RateWindow(start: start, calls: 5, throttled: 5)], logger: Self.logger)
            let again = try #require(try await buckets.evaluate(key: key, ceiling: 48, window: 1, lag: 0.5, logger: Self.logger))
            #expect(again.windows.isEmpty)
        }
    }

    @Test func evaluationSkipsWhileAnotherProcessHoldsTheBucket() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            try await withPostgresClient(url.clientConfiguration(), logger: Self.logger) { other in
                // given a key whose row another process holds locked
                let buckets = RateBucketRepository(client: client)
                _ = try await buckets.reserve(key: "consent:locked", ceiling: 48, burst: 1, adaptive: true, logger: Self.logger)
                try await other.withTransaction(logger: Self.logger) { connection in
                    try await connection.query("SELECT 1 FROM rate_buckets WHERE key = 'consent:locked' FOR UPDATE", logger: Self.logger)

                    // when this one tries to evaluate
                    let evaluation = try await buckets.evaluate(key: "consent:locked", ceiling: 48, window: 1, lag: 0, logger: Self.logger)

                    // then it does not wait: another evaluation will come
                    #expect(evaluation == nil)
                }
            }
        }
    }
}
