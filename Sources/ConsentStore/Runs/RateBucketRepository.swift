import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Rate budgets in `rate_buckets` (migrations 0005, 0009), so that a limit holds across every process
/// sharing the database: each key is a virtual schedule of slots (`SlotSchedule`, the same arithmetic
/// done inside one `INSERT ... ON CONFLICT DO UPDATE`), and adaptive keys carry a `RateController`
/// fed by `rate_windows` and evaluated under the row's lock.
public struct RateBucketRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Reserves one call; see `reserve(key:count:ceiling:burst:adaptive:logger:)`.
    public func reserve(key: String, ceiling: Double, burst: Int, adaptive: Bool = false, logger: Logger) async throws -> RateReservation {
        guard let first = try await reserve(key: key, count: 1, ceiling: ceiling, burst: burst, adaptive: adaptive, logger: logger).slots.first
        else { throw RateBucketError.unknownKey(key) }
        return first
    }

    /// Reserves `count` consecutive slots in one statement, exactly as `count` single reservations
    /// made at the same instant would: the schedule's next slot advances by one interval of the
    /// key's current rate per call, a slot comes at most `(burst - 1) / ceiling` seconds early, and
    /// none before a pause ends. Never refuses: a caller that gets a wait owns that later slot.
    ///
    /// - Parameters:
    ///   - ceiling: calls per second; the key's rate never exceeds it (a lowered ceiling applies at once).
    ///   - adaptive: the rate follows the key's controller (consent budget); otherwise it is the ceiling.
    public func reserve(
        key: String, count: Int, ceiling: Double, burst: Int, adaptive: Bool = false, logger: Logger
    ) async throws -> RateReservations {
        let n = max(count, 1)
        let ceiling = max(ceiling, 0.001)
        let burst = max(burst, 1)
        let tolerance = Double(burst - 1) / ceiling
        // Intervals are whole microseconds (timestamptz's resolution), rounded up: rounding down
        // would let a long schedule creep above its rate. The Swift side below uses the same value.
        let rows = try await client.query(
            """
            INSERT INTO rate_buckets AS b (key, rate, burst, ceiling_rate, next_at, updated_at)
            VALUES (\(key), \(ceiling), \(Double(burst)), \(ceiling),
                    clock_timestamp() + make_interval(secs => \(Double(n)) * ceil(1e6 / \(ceiling)) / 1e6), clock_timestamp())
            ON CONFLICT (key) DO UPDATE SET
                rate = CASE WHEN \(adaptive) THEN least(b.rate, EXCLUDED.ceiling_rate) ELSE EXCLUDED.ceiling_rate END,
                burst = EXCLUDED.burst, ceiling_rate = EXCLUDED.ceiling_rate,
                next_at = greatest(b.next_at, clock_timestamp(), b.blocked_until + make_interval(secs => \(tolerance)))
                    + make_interval(secs => \(Double(n)) * ceil(1e6 / (CASE WHEN \(adaptive)
                        THEN least(b.rate, EXCLUDED.ceiling_rate) ELSE EXCLUDED.ceiling_rate END)) / 1e6),
                updated_at = clock_timestamp()
            RETURNING next_at, rate, updated_at
            """, logger: logger)
        for try await row in rows {
            let cells = NamedRow(row)
            let (next, rate, now): (Date, Double, Date) = (try cells("next_at"), try cells("rate"), try cells("updated_at"))
            let interval = (1e6 / rate).rounded(.up) / 1e6
            let start = next.addingTimeInterval(-Double(n) * interval)
            let slots = (0..<n).map { k in
                let slot = max(now, start.addingTimeInterval(Double(k) * interval - tolerance))
                let wait = slot.timeIntervalSince(now)
                return RateReservation(wait: .microseconds(Int64((wait * 1e6).rounded(.up))), slot: slot)
            }
            return RateReservations(slots: slots, rate: rate)
        }
        throw RateBucketError.unknownKey(key)
    }

    /// Adds answered calls to their windows, for the controller. Windows the controller has
    /// already evaluated are left out (an answer that came after its window was judged).
    public func record(key: String, windows: [RateWindow], logger: Logger) async throws {
        guard !windows.isEmpty else { return }
        let starts = windows.map(\.start)
        let calls = windows.map { Int32(clamping: $0.calls) }
        let throttled = windows.map { Int32(clamping: $0.throttled) }
        let retryAfter = windows.map { $0.maxRetryAfter ?? 0 }
        try await client.query(
            """
            INSERT INTO rate_windows AS w (key, window_start, calls, throttled, max_retry_after)
            SELECT \(key), v.window_start, v.calls, v.throttled, nullif(v.retry_after, 0)
            FROM unnest(\(starts)::timestamptz[], \(calls)::integer[], \(throttled)::integer[], \(retryAfter)::float8[])
                AS v (window_start, calls, throttled, retry_after)
            JOIN rate_buckets b ON b.key = \(key)
            WHERE b.evaluated_through IS NULL OR v.window_start >= b.evaluated_through
            ON CONFLICT (key, window_start) DO UPDATE SET
                calls = w.calls + EXCLUDED.calls, throttled = w.throttled + EXCLUDED.throttled,
                max_retry_after = greatest(w.max_retry_after, EXCLUDED.max_retry_after)
            """, logger: logger)
    }

    /// Runs the key's controller over every window that ended at least `lag` ago, in order, under
    /// the bucket's row lock, and stores its rate (and, after a storm, the fleet's pause). Returns
    /// nil when another process holds the lock (it is evaluating, or reserving: try again later).
    public func evaluate(
        key: String, ceiling: Double, window: TimeInterval, lag: TimeInterval, logger: Logger
    ) async throws -> RateEvaluation? {
        try await client.withTransaction(logger: logger) { connection in
            var locked: (String?, Date, Date?)?
            for try await row in try await connection.query(
                """
                SELECT controller::text AS controller, clock_timestamp() AS now, next_at
                FROM rate_buckets WHERE key = \(key) FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            ) {
                let cells = NamedRow(row)
                locked = (try cells("controller"), try cells("now"), try cells("next_at"))
            }
            guard let (stored, now, scheduledThrough) = locked else { return nil }
            let cutoff = now.addingTimeInterval(-(window + max(lag, 0)))
            var windows: [RateWindow] = []
            for try await row in try await connection.query(
                """
                DELETE FROM rate_windows WHERE key = \(key) AND window_start <= \(cutoff)
                RETURNING window_start, calls, throttled, max_retry_after
                """, logger: logger
            ) {
                let cells = NamedRow(row)
                windows.append(
                    RateWindow(
                        start: try cells("window_start"), calls: Int(try cells("calls", as: Int32.self)),
                        throttled: Int(try cells("throttled", as: Int32.self)), maxRetryAfter: try cells("max_retry_after"),
                        length: window))
            }
            var controller = stored.flatMap { try? JSONDecoder().decode(RateController.self, from: Data($0.utf8)) }
                ?? RateController(ceiling: ceiling)
            controller.setCeiling(ceiling)
            let decisions = windows.sorted { $0.start < $1.start }.map { controller.evaluate($0, at: now, scheduledThrough: scheduledThrough) }
            let pause = decisions.compactMap(\.pause).max() ?? 0
            let json = String(decoding: try JSONEncoder().encode(controller), as: UTF8.self)
            try await connection.query(
                """
                UPDATE rate_buckets SET controller = \(json)::jsonb, rate = \(controller.rate),
                    evaluated_through = greatest(evaluated_through, \(cutoff)),
                    blocked_until = CASE WHEN \(pause) > 0
                        THEN greatest(blocked_until, clock_timestamp() + make_interval(secs => \(pause))) ELSE blocked_until END
                WHERE key = \(key)
                """, logger: logger)
            return RateEvaluation(decisions: decisions, windows: windows, controller: controller)
        }
    }

    /// No slot for this key before `seconds` from now (a 429 on a budget without a controller).
    public func pause(key: String, seconds: TimeInterval, logger: Logger) async throws {
        try await client.query(
            """
            UPDATE rate_buckets SET blocked_until = greatest(blocked_until, clock_timestamp() + make_interval(secs => \(max(seconds, 0))))
            WHERE key = \(key)
            """, logger: logger)
    }
}

/// One reserved call: wait `wait`, then go. `slot` is the same instant on the database's clock,
/// comparable across processes.
public struct RateReservation: Sendable, Equatable {
    public let wait: Duration
    public let slot: Date
}

/// A block of reserved calls and the key's rate when they were reserved.
public struct RateReservations: Sendable, Equatable {
    public let slots: [RateReservation]
    /// Calls per second the schedule ran at.
    public let rate: Double
}

/// What one evaluation of a controller decided, window by window.
public struct RateEvaluation: Sendable {
    public let decisions: [RateDecision]
    public let windows: [RateWindow]
    public let controller: RateController
}

public enum RateBucketError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String)

    public var description: String {
        switch self {
        case .unknownKey(let key): "the rate bucket \(key) returned nothing"
        }
    }
}
