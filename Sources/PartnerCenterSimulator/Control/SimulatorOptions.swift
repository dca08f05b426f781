/// How the simulator behaves where Microsoft leaves room (limits, lifetimes, UNVERIFIED choices).
/// Every default is documented in docs/simulator.md. In JSON (a world file's `"options"`) every
/// field is optional; a missing one keeps its default.
public struct SimulatorOptions: Codable, Sendable, Equatable {
    /// Partner Center's published limits (reference §4.4) and how they are enforced.
    public var rateLimits = RateLimitOptions()
    /// Microsoft Graph's throttling (reference §12.4) and how it is enforced.
    public var graphLimits = GraphLimitOptions()
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
    /// Seeds the dice of faults and latency so that a run can be repeated; nil: system randomness.
    public var randomSeed: UInt64?
    /// Faults active from the start; they can be changed at run time.
    public var faults = SimulatorFaults()
    /// Drift applied to the world's initial consents at start and after a reset, in order.
    public var drift: [DriftSetting] = []

    public enum MultiResourceScope: String, Codable, Sendable { case firstResource, reject }

    public init() {}
}

/// Partner Center throttling, enforced per application (consents) and per partner tenant (customers).
public struct RateLimitOptions: Codable, Sendable, Equatable {
    public var enabled: Bool = true
    /// How the limits are enforced; Microsoft does not say, so the strictest reading is the default.
    public var model: RateLimitModel = .slidingWindow
    /// POST and DELETE applicationconsents together, per application id, per second; 0: no limit.
    public var applicationConsentsPerSecond: Int = 50
    /// `GET /v1/customers` and `GET /v1/customers/{id}` together, per partner tenant, per minute; 0: no limit.
    public var customerRequestsPerMinute: Int = 500
    /// True: a call the limiter refuses still occupies the window (Microsoft's guidance says every
    /// request counts), the strictest plausible reading.
    public var countRejected: Bool = true

    public init(
        enabled: Bool = true, model: RateLimitModel = .slidingWindow, applicationConsentsPerSecond: Int = 50,
        customerRequestsPerMinute: Int = 500, countRejected: Bool = true
    ) {
        self.enabled = enabled
        self.model = model
        self.applicationConsentsPerSecond = applicationConsentsPerSecond
        self.customerRequestsPerMinute = customerRequestsPerMinute
        self.countRejected = countRejected
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

// Decoders that take a partial object: a world file's `"options"` names only what it changes, everything else keeps its default. (In this file, beside the types, so the
// synthesised encoders and these decoders share one set of coding keys.)
extension SimulatorOptions {
    enum CodingKeys: String, CodingKey {
        case rateLimits, graphLimits, paging, accessTokenLifetimeSeconds, authorizationCodeLifetimeSeconds, callLogCapacity, idempotencyCapacity
        case enforceMFAOnPartnerCenter, multiResourceScope, hangSeconds, randomSeed, faults, drift
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rateLimits = try c.decodeIfPresent(RateLimitOptions.self, forKey: .rateLimits) ?? rateLimits
        graphLimits = try c.decodeIfPresent(GraphLimitOptions.self, forKey: .graphLimits) ?? graphLimits
        paging = try c.decodeIfPresent(PagingOptions.self, forKey: .paging) ?? paging
        accessTokenLifetimeSeconds = try c.decodeIfPresent(Int.self, forKey: .accessTokenLifetimeSeconds) ?? accessTokenLifetimeSeconds
        authorizationCodeLifetimeSeconds = try c.decodeIfPresent(Int.self, forKey: .authorizationCodeLifetimeSeconds) ?? authorizationCodeLifetimeSeconds
        callLogCapacity = try c.decodeIfPresent(Int.self, forKey: .callLogCapacity) ?? callLogCapacity
        idempotencyCapacity = try c.decodeIfPresent(Int.self, forKey: .idempotencyCapacity) ?? idempotencyCapacity
        enforceMFAOnPartnerCenter = try c.decodeIfPresent(Bool.self, forKey: .enforceMFAOnPartnerCenter) ?? enforceMFAOnPartnerCenter
        multiResourceScope = try c.decodeIfPresent(MultiResourceScope.self, forKey: .multiResourceScope) ?? multiResourceScope
        hangSeconds = try c.decodeIfPresent(Int.self, forKey: .hangSeconds) ?? hangSeconds
        randomSeed = try c.decodeIfPresent(UInt64.self, forKey: .randomSeed)
        faults = try c.decodeIfPresent(SimulatorFaults.self, forKey: .faults) ?? faults
        drift = try c.decodeIfPresent([DriftSetting].self, forKey: .drift) ?? []
        guard callLogCapacity >= 0, idempotencyCapacity >= 1, hangSeconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .callLogCapacity, in: c, debugDescription: "callLogCapacity must be ≥ 0, idempotencyCapacity ≥ 1, hangSeconds ≥ 0")
        }
    }
}

extension RateLimitOptions {
    enum CodingKeys: String, CodingKey {
        case enabled, model, applicationConsentsPerSecond, customerRequestsPerMinute, countRejected
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        model = try c.decodeIfPresent(RateLimitModel.self, forKey: .model) ?? model
        applicationConsentsPerSecond = try c.decodeIfPresent(Int.self, forKey: .applicationConsentsPerSecond) ?? applicationConsentsPerSecond
        customerRequestsPerMinute = try c.decodeIfPresent(Int.self, forKey: .customerRequestsPerMinute) ?? customerRequestsPerMinute
        countRejected = try c.decodeIfPresent(Bool.self, forKey: .countRejected) ?? countRejected
        guard applicationConsentsPerSecond >= 0, customerRequestsPerMinute >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .applicationConsentsPerSecond, in: c, debugDescription: "limits must be ≥ 0 (0: no limit)")
        }
    }
}

extension PagingOptions {
    enum CodingKeys: String, CodingKey {
        case defaultPageSize, maxPageSize, continuationTokenLifetimeSeconds, totalCount
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        defaultPageSize = try c.decodeIfPresent(Int.self, forKey: .defaultPageSize) ?? defaultPageSize
        maxPageSize = try c.decodeIfPresent(Int.self, forKey: .maxPageSize) ?? maxPageSize
        continuationTokenLifetimeSeconds = try c.decodeIfPresent(Int.self, forKey: .continuationTokenLifetimeSeconds) ?? continuationTokenLifetimeSeconds
        totalCount = try c.decodeIfPresent(TotalCountMode.self, forKey: .totalCount) ?? totalCount
        guard defaultPageSize >= 1, maxPageSize >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .defaultPageSize, in: c, debugDescription: "page sizes must be ≥ 1")
        }
    }
}
