/// How the simulator behaves where Microsoft leaves room (limits, lifetimes, UNVERIFIED choices).
/// Every default is documented in docs/simulator.md.
public struct SimulatorOptions: Codable, Sendable, Equatable {
    /// Partner Center's published limits (reference §4.4).
    public var rateLimits = RateLimitOptions()
    public var paging = PagingOptions()
    public var accessTokenLifetimeSeconds: Int = 3599
    public var authorizationCodeLifetimeSeconds: Int = 600
    /// Entries kept in the call log; older ones are dropped so long benchmarks stay flat in memory.
    public var callLogCapacity: Int = 10_000
    /// Remembered `MS-RequestId` answers; the oldest are forgotten first.
    public var idempotencyCapacity: Int = 100_000
    /// Partner Center has enforced MFA on App+User calls since 2026-04-01 (reference §1.7).
    public var enforceMFAOnPartnerCenter: Bool = true
    /// What v2 refresh/code redemptions do with scopes of several resources: the reference says the
    /// token is for the first resource; `reject` answers AADSTS700022 instead.
    public var multiResourceScope: MultiResourceScope = .firstResource
    /// How long a "hang" holds a request before giving up with 504 (if the client is still there).
    public var hangSeconds: Int = 300
    /// Faults active from the start; they can be changed at run time.
    public var faults = SimulatorFaults()

    public enum MultiResourceScope: String, Codable, Sendable { case firstResource, reject }

    public init() {}
}

/// Partner Center throttling, enforced per application (consents) and per partner tenant (customers).
public struct RateLimitOptions: Codable, Sendable, Equatable {
    public var enabled: Bool = true
    public var applicationConsentsPerSecond: Int = 50
    public var customerRequestsPerMinute: Int = 500

    public init(enabled: Bool = true, applicationConsentsPerSecond: Int = 50, customerRequestsPerMinute: Int = 500) {
        self.enabled = enabled
        self.applicationConsentsPerSecond = applicationConsentsPerSecond
        self.customerRequestsPerMinute = customerRequestsPerMinute
    }
}

/// Page sizes and continuation tokens of `GET /v1/customers` (reference §5).
public struct PagingOptions: Codable, Sendable, Equatable {
    /// Used when `size` is absent.
    public var defaultPageSize: Int = 100
    /// Larger `size` values are clamped to this (UNVERIFIED; NCE tooling uses 500).
    public var maxPageSize: Int = 500
    /// After this a continuation token is refused with 400 / code 2000.
    public var continuationTokenLifetimeSeconds: Int = 900
    /// `page`: totalCount = items on this page (what Microsoft's samples show); `all`: the grand total.
    public var totalCount: TotalCountMode = .page

    public enum TotalCountMode: String, Codable, Sendable { case page, all }

    public init() {}
}
