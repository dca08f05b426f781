import CPVTestSupport
import ConsentStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The shared token bucket's schedule, read from the slots it hands out on the database clock: the
/// property the governor promises, free of the scheduling jitter a loaded machine adds between a
/// slot and the request that leaves for it (the end-to-end check is in `RunWorkerTests`).
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

    @Test func concurrentReserversFromTwoClientsNeverExceedRateTimesWindowPlusBurst() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            try await withPostgresClient(url.clientConfiguration(), logger: Self.logger) { other in
                // given two connection pools (as two worker processes would hold), four reservers each
                let pools = [RateBucketRepository(client: client), RateBucketRepository(client: other)]
                let rate = 20.0
                let burst = 2.0

                // when 80 calls are reserved at once
                let reservations = try await withThrowingTaskGroup(of: [RateReservation].self) { group in
                    for reserver in 0..<8 {
                        let buckets = pools[reserver % 2]
                        group.addTask {
                            var mine: [RateReservation] = []
                            for _ in 0..<10 {
                                mine.append(try await buckets.reserve(key: "consent:test", ratePerSecond: rate, capacity: burst, logger: Self.logger))
                            }
                            return mine
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }

                // then the slots are spaced at the rate after the burst, in every window
                let slots = reservations.map(\.slot)
                #expect(slots.count == 80)
                for window in [0.5, 1.0, 2.0] {
                    let bound = Int((rate * window + burst).rounded(.down))
                    #expect(Self.peak(slots, window: window) <= bound, "window \(window) s")
                }
                // and the whole schedule is as long as the budget requires: (80 - burst) / 20 s (or
                // longer, when a loaded machine reserves slowly and the bucket refills in between)
                let span = slots.max()!.timeIntervalSince(slots.min()!)
                #expect(span >= (80 - burst) / rate - 0.05, "span \(span)")
            }
        }
    }

    @Test func blocksOfReservationsKeepTheSameScheduleAsSingleOnes() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            try await withPostgresClient(url.clientConfiguration(), logger: Self.logger) { other in
                // given two pools reserving blocks of 5 concurrently, at 20/s with a burst of 2
                let pools = [RateBucketRepository(client: client), RateBucketRepository(client: other)]

                // when 80 calls are reserved in 16 blocks
                let slots = try await withThrowingTaskGroup(of: [Date].self) { group in
                    for reserver in 0..<4 {
                        let buckets = pools[reserver % 2]
                        group.addTask {
                            var mine: [Date] = []
                            for _ in 0..<4 {
                                let block = try await buckets.reserve(
                                    key: "consent:blocks", count: 5, ratePerSecond: 20, capacity: 2, logger: Self.logger)
                                #expect(block.count == 5)
                                #expect(zip(block, block.dropFirst()).allSatisfy { $0.slot <= $1.slot })
                                mine += block.map(\.slot)
                            }
                            return mine
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }

                // then the window bound and the total span are those of 80 single reservations
                #expect(slots.count == 80)
                for window in [0.5, 1.0, 2.0] {
                    #expect(Self.peak(slots, window: window) <= Int(20 * window + 2), "window \(window) s")
                }
                #expect(slots.max()!.timeIntervalSince(slots.min()!) >= 78.0 / 20 - 0.05)
            }
        }
    }

    @Test func aThrottledKeyHandsOutNoSlotBeforeRetryAfterAndHalvesItsRate() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given a bucket in use
            let buckets = RateBucketRepository(client: client)
            _ = try await buckets.reserve(key: "consent:test", ratePerSecond: 50, capacity: 10, logger: Self.logger)

            // when Partner Center answers 429 with Retry-After: 2
            let throttledAt = Date()
            try await buckets.throttled(key: "consent:test", retryAfter: 2, minimumRate: 0.5, logger: Self.logger)
            let next = try await buckets.reserve(key: "consent:test", ratePerSecond: 50, capacity: 10, logger: Self.logger)
            let after = try await buckets.reserve(key: "consent:test", ratePerSecond: 50, capacity: 10, logger: Self.logger)

            // then nothing goes before the block has passed, and the next slots come at half the rate
            // (slots, not waits: a wait is counted from whenever the reservation ran, late on a loaded machine)
            #expect(next.slot.timeIntervalSince(throttledAt) >= 1.99, "slot \(next.slot.timeIntervalSince(throttledAt)) s after the 429")
            let spacing = after.slot.timeIntervalSince(next.slot)
            #expect(spacing >= 1.0 / 25 - 0.002 && spacing <= 1.0 / 20, "spacing \(spacing)")
        }
    }
}
