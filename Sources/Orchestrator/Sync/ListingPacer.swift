import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// What a customer listing waits on before each page request to Partner Center, and tells about a
/// 429. Partner Center's budget is per partner tenant (500 requests a minute, §4.4).
public protocol ListingPacer: Sendable {
    /// Returns when the partner's next request may go.
    func wait(for partnerID: UUID, logger: Logger) async throws
    /// Partner Center answered 429 for this partner's listing.
    func throttled(partnerID: UUID, retryAfter: TimeInterval?, logger: Logger) async
}

extension RequestPacer: ListingPacer {
    public func wait(for partnerID: UUID, logger: Logger) async throws {
        try await wait(for: partnerID)
    }

    /// In-process pacing has no one else to tell: the sync itself waits out the Retry-After.
    public func throttled(partnerID: UUID, retryAfter: TimeInterval?, logger: Logger) async {}
}

/// The listing budget per partner held in a `rate_buckets` row (`listing:<partner id>`), so that
/// syncs in any number of processes together stay within it (`CPV_LISTING_RATE_LIMIT` per minute).
/// The same schedule as the consent budget with a burst of 1 and one request a minute kept spare:
/// never more than the limit in any 60-second window. A 429 pauses the partner's key for its
/// Retry-After in every process; there is no controller (listings are rare and short).
public struct DatabaseListingPacer: ListingPacer {
    let buckets: RateBucketRepository
    let ceiling: Double

    public init(buckets: RateBucketRepository, requestsPerMinute: Int) {
        self.buckets = buckets
        // Burst 1: pages of one listing follow each other anyway; a burst would only let several
        // processes start together above the budget. One request kept spare for timing.
        self.ceiling = SlotSchedule.ceiling(limit: max(requestsPerMinute, 3), window: 60, burst: 1, margin: 1)
    }

    static func key(_ partnerID: UUID) -> String { "listing:\(partnerID.guidText)" }

    public func wait(for partnerID: UUID, logger: Logger) async throws {
        let wait = try await buckets.reserve(key: Self.key(partnerID), ceiling: ceiling, burst: 1, logger: logger).wait
        if wait > .zero { try await Task.sleep(for: wait) }
    }

    public func throttled(partnerID: UUID, retryAfter: TimeInterval?, logger: Logger) async {
        do {
            try await buckets.pause(key: Self.key(partnerID), seconds: retryAfter ?? 1, logger: logger)
        } catch {
            logger.warning("could not record a listing 429 in the rate bucket", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }
}
