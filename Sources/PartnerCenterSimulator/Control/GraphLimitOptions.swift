/// Microsoft Graph throttling of the reads that verify a consent (reference §12.4), enforced per
/// application across tenants and per application in one tenant, both over a 10-second window.
///
/// Microsoft publishes the global number (130,000 requests per 10 seconds per application across all
/// tenants) and, for Entra ID reads, per application+tenant budgets in "resource units" that depend on
/// the tenant's size (about 3,500 per 10 seconds for the smallest tenants) and on each request's cost.
/// The simulator counts every Graph request as one unit and uses the smallest tenant's budget: the
/// per-tenant number and the cost of one request are UNVERIFIED.
public struct GraphLimitOptions: Codable, Sendable, Equatable {
    public var enabled: Bool = true
    /// How the limits are enforced; the strictest reading (a sliding window) by default, as for Partner Center.
    public var model: RateLimitModel = .slidingWindow
    /// Graph requests per application id across all tenants per 10 seconds; 0: no limit.
    public var applicationRequestsPerTenSeconds: Int = 130_000
    /// Graph requests per application id in one tenant (the token's `tid`) per 10 seconds; 0: no limit.
    public var tenantRequestsPerTenSeconds: Int = 3_500
    /// True: a refused request still occupies the windows (UNVERIFIED for Graph; the strict reading).
    public var countRejected: Bool = true

    public init(
        enabled: Bool = true, model: RateLimitModel = .slidingWindow, applicationRequestsPerTenSeconds: Int = 130_000,
        tenantRequestsPerTenSeconds: Int = 3_500, countRejected: Bool = true
    ) {
        self.enabled = enabled
        self.model = model
        self.applicationRequestsPerTenSeconds = applicationRequestsPerTenSeconds
        self.tenantRequestsPerTenSeconds = tenantRequestsPerTenSeconds
        self.countRejected = countRejected
    }

    /// Seconds in the window both limits are counted over.
    static let window = 10.0

    var applicationRule: RateLimitRule {
        RateLimitRule(model: model, limit: applicationRequestsPerTenSeconds, window: Self.window, countRejected: countRejected)
    }

    var tenantRule: RateLimitRule {
        RateLimitRule(model: model, limit: tenantRequestsPerTenSeconds, window: Self.window, countRejected: countRejected)
    }

    enum CodingKeys: String, CodingKey {
        case enabled, model, applicationRequestsPerTenSeconds, tenantRequestsPerTenSeconds, countRejected
    }

    // Every field optional, like RateLimitOptions: a world file or a control call names what it changes.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        model = try c.decodeIfPresent(RateLimitModel.self, forKey: .model) ?? model
        applicationRequestsPerTenSeconds = try c.decodeIfPresent(Int.self, forKey: .applicationRequestsPerTenSeconds) ?? applicationRequestsPerTenSeconds
        tenantRequestsPerTenSeconds = try c.decodeIfPresent(Int.self, forKey: .tenantRequestsPerTenSeconds) ?? tenantRequestsPerTenSeconds
        countRejected = try c.decodeIfPresent(Bool.self, forKey: .countRejected) ?? countRejected
        guard applicationRequestsPerTenSeconds >= 0, tenantRequestsPerTenSeconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .applicationRequestsPerTenSeconds, in: c, debugDescription: "Graph limits must be ≥ 0 (0: no limit)")
        }
    }
}
