import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// A fixed budget of requests per second held in a `rate_buckets` row, shared by every process:
/// Graph reads (`graph:<application id>`) and token redemptions (`token:<application id>`) of a
/// reconcile, each apart from the consent budget, so a reconcile never starves the consent calls
/// of drifted customers nor overruns Graph's or Entra's limits (issue #16).
///
/// - Slots come from the same schedule as the consent budget (`SlotSchedule`: no window holds more
///   than `floor(ceiling × w) + burst`), reserved in blocks of up to 64 at high rates (one round
///   trip for 20 ms of the budget) instead of one statement per request.
/// - A 429 for one tenant is that tenant's: its task waits out the Retry-After on its own. When 429s
///   come from `applicationThrottleTenants` tenants or more within a second, the application itself
///   is throttled: the key is paused for the longest Retry-After, in every process.
public struct RequestBudget: Sendable {
    public let key: String
    public let perSecond: Double
    let buckets: RateBucketRepository
    let burst: Int
    let blockSize: Int
    let slots = ReservedSlots()
    let throttles = ThrottleWitness()

    /// 429s from this many tenants within a second are the application's, not the tenants'.
    public static let applicationThrottleTenants = 5

    public init(buckets: RateBucketRepository, key: String, perSecond: Double, burst: Int = 1) {
        self.buckets = buckets
        self.key = key
        self.perSecond = max(perSecond, 0.01)
        self.burst = max(burst, 1)
        self.blockSize = max(1, min(64, Int(self.perSecond / 50)))
    }

    /// Returns, once the request may go, how long it waited for its slot.
    @discardableResult
    public func admit(logger: Logger) async throws -> Duration {
        let started = ContinuousClock.now
        let instant: ContinuousClock.Instant
        if let pending = await slots.next() {
            instant = pending.instant
        } else {
            let block = try await buckets.reserve(key: key, count: blockSize, ceiling: perSecond, burst: burst, logger: logger)
            let answered = ContinuousClock.now
            instant = await slots.keep(block.slots.map { (answered + $0.wait, $0.slot) }).instant
        }
        if instant > .now { try await Task.sleep(until: instant) }
        return ContinuousClock.now - started
    }

    /// A 429 for `tenant`: counted, and when the application is throttled, every process pauses.
    public func throttled(tenant: String, retryAfter: TimeInterval?, logger: Logger) async {
        guard let pause = await throttles.saw(tenant: tenant, retryAfter: retryAfter, threshold: Self.applicationThrottleTenants)
        else { return }
        await slots.drop()
        do {
            try await buckets.pause(key: key, seconds: pause, logger: logger)
            logger.notice("budget paused: many tenants throttled at once", metadata: ["cpv.budget": "\(key)", "cpv.pause": "\(pause)"])
        } catch {
            logger.warning("could not pause a request budget", metadata: ["cpv.error": "\(String(reflecting: error))"])
        }
    }
}

/// The 429s of the last second by tenant; says when enough tenants were throttled together.
actor ThrottleWitness {
    private var recent: [(at: ContinuousClock.Instant, tenant: String, retryAfter: TimeInterval)] = []

    /// The pause to apply (the longest Retry-After seen, at least a second) once `threshold`
    /// distinct tenants were throttled within a second; nil otherwise. Forgets what it counted
    /// after answering, so one burst pauses once.
    func saw(tenant: String, retryAfter: TimeInterval?, threshold: Int) -> TimeInterval? {
        let now = ContinuousClock.now
        recent.removeAll { now - $0.at > .seconds(1) }
        recent.append((now, tenant, retryAfter ?? 1))
        guard Set(recent.map(\.tenant)).count >= threshold else { return nil }
        let pause = max(1, recent.map(\.retryAfter).max() ?? 1)
        recent.removeAll()
        return pause
    }
}
