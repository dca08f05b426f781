import Foundation
import Logging
import PostgresNIO

/// Token buckets in `rate_buckets` (migration 0005), so that a limit holds across every process
/// sharing the database. Same arithmetic as the domain's `TokenBucket` (halve on 429, add 1 % of
/// the limit per granted call), done inside one `UPDATE` so concurrent callers cannot race.
public struct RateBucketRepository: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Reserves one call and returns how long to wait before making it (zero: go now) and the
    /// database-clock instant of its slot. Never refuses: a caller that gets a wait owns that later
    /// slot. Creates the bucket on first use and keeps its limit at the caller's configured one, so
    /// a changed limit applies at once.
    public func reserve(key: String, ratePerSecond: Double, capacity: Double, logger: Logger) async throws -> RateReservation {
        guard let first = try await reserve(key: key, count: 1, ratePerSecond: ratePerSecond, capacity: capacity, logger: logger).first else {
            throw RateBucketError.unknownKey(key)
        }
        return first
    }

    /// Reserves `count` consecutive calls in one update, exactly as `count` single reservations
    /// made at the same instant would be: the bucket's tokens first, then one slot every
    /// 1/rate seconds, none before a 429's block ends. For callers at high rates, where one round
    /// trip per call would cost more than the call.
    public func reserve(key: String, count: Int, ratePerSecond: Double, capacity: Double, logger: Logger) async throws -> [RateReservation] {
        let n = Double(max(count, 1))
        let rows = try await client.query(
            """
            WITH reserved AS (
            INSERT INTO rate_buckets AS b (key, tokens, rate, capacity, ceiling_rate)
            VALUES (\(key), \(capacity) - \(n), \(ratePerSecond), \(capacity), \(ratePerSecond))
            ON CONFLICT (key) DO UPDATE SET
                tokens = least(EXCLUDED.capacity, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * b.rate) - \(n),
                rate = least(EXCLUDED.ceiling_rate, CASE WHEN b.blocked_until IS NULL OR b.blocked_until <= clock_timestamp()
                            THEN b.rate + \(n) * EXCLUDED.ceiling_rate / 100 ELSE b.rate END),
                capacity = EXCLUDED.capacity, ceiling_rate = EXCLUDED.ceiling_rate,
                updated_at = clock_timestamp()
            RETURNING b.tokens + \(n) AS before, b.rate,
                greatest(extract(epoch FROM coalesce(b.blocked_until, b.updated_at) - b.updated_at), 0)::double precision AS blocked,
                b.updated_at
            )
            SELECT before, rate, blocked, updated_at FROM reserved
            """, logger: logger)
        for try await (before, rate, blocked, now) in rows.decode((Double, Double, Double, Date).self) {
            // The k-th call takes the k-th token: it waits until the bucket has refilled to it.
            // Everything is counted from `updated_at`, the instant the refill was computed at (the
            // next reservation refills from it): a later clock reading taken in the same statement
            // would shift this block's slots onto the next one's on a busy server (CI saw 44 calls
            // in a 2 s window against 42).
            return (1...Int(n)).map { k in
                let wait = max(blocked, (Double(k) - before) / rate, 0)
                return RateReservation(wait: .milliseconds(Int64((wait * 1_000).rounded(.up))), slot: now.addingTimeInterval(wait))
            }
        }
        throw RateBucketError.unknownKey(key)
    }

    /// A 429: nothing for this key before `retryAfter` has passed, at half the rate afterwards.
    public func throttled(key: String, retryAfter: TimeInterval, minimumRate: Double, logger: Logger) async throws {
        try await client.query(
            """
            UPDATE rate_buckets SET
                rate = greatest(\(minimumRate), rate / 2),
                blocked_until = greatest(coalesce(blocked_until, clock_timestamp()),
                                         clock_timestamp() + make_interval(secs => \(retryAfter))),
                -- The debt after the block: the next reservation waits at least Retry-After.
                tokens = least(tokens + extract(epoch FROM clock_timestamp() - updated_at) * rate, 0)
                         - \(retryAfter) * greatest(\(minimumRate), rate / 2),
                updated_at = clock_timestamp()
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

public enum RateBucketError: Error, Equatable, CustomStringConvertible {
    case unknownKey(String)

    public var description: String {
        switch self {
        case .unknownKey(let key): "the rate bucket \(key) returned nothing"
        }
    }
}
