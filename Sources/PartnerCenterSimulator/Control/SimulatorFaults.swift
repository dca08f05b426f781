/// The groups of endpoints faults and latency apply to, one per simulated Microsoft host.
public enum EndpointGroup: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case entra, partnerCenter, graph, arm, keyVault, control

    static func of(path: String) -> EndpointGroup {
        if path.hasPrefix("/v1/") || path == "/v1" { return .partnerCenter }
        if path.hasPrefix("/v1.0/") { return .graph }
        if path.hasPrefix("/subscriptions") { return .arm }
        if path.hasPrefix("/secrets") { return .keyVault }
        if path.hasPrefix("/_sim") { return .control }
        return .entra
    }
}

/// Injected misbehaviour, changeable at run time through `/_sim/faults` or `SimulatorState`.
public struct SimulatorFaults: Codable, Sendable, Equatable {
    /// Added delay per group.
    public var latency: [EndpointGroup: LatencyFault] = [:]
    /// A fraction of requests answered 500/503 without doing anything.
    public var failures: [EndpointGroup: FailureFault] = [:]
    /// Forced 429s: the next N requests and/or a fraction of all (decided per call, whatever the
    /// load), with a given Retry-After.
    public var throttles: [EndpointGroup: ThrottleFault] = [:]
    /// A fraction of the group's calls answered 429 for a time span from the moment it is set.
    public var storms: [EndpointGroup: StormFault] = [:]
    /// Another client of the same application spending part of its consent budget.
    public var otherConsumer: OtherConsumerFault?
    /// Requests that are never answered within any reasonable client deadline.
    public var hangs: [EndpointGroup: CountOrFraction] = [:]
    /// Partner tenant id → AADSTS code every refresh token of that partner now fails with
    /// (700082, 70008, 50173, 50076, 53003).
    public var deadRefreshTokens: [String: Int] = [:]
    /// Customer ids whose every Partner Center call answers 403.
    public var forbiddenCustomers: Set<String> = []
    /// Customer id → HTTP status: after the next successful DELETE of a consent there, the following
    /// POST fails with that status without creating anything (the "consent gone" hazard).
    public var failPostAfterDelete: [String: Int] = [:]
    /// Customer id → how many of the next POSTs there answer 409 "Permission entry already exists."
    /// without changing anything: a DELETE that did not take, as the orchestrator must handle it.
    public var conflictOnPost: [String: Int] = [:]
    /// When set, the next authorize request redirects with this error instead of a code (then clears).
    public var authorizeError: AuthorizeErrorFault?
    /// Customer tenant ids whose Graph reads (consent reads, organization, domains) answer 403
    /// `Authorization_RequestDenied`: the tenant refuses what it used to allow.
    public var graphForbiddenTenants: Set<String> = []
    /// Partner Center rate limits on or off.
    public var rateLimitsEnabled: Bool = true

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case latency, failures, throttles, storms, otherConsumer, hangs, deadRefreshTokens, forbiddenCustomers, failPostAfterDelete, conflictOnPost, authorizeError, graphForbiddenTenants, rateLimitsEnabled
    }

    // Every field is optional in JSON so control calls can send only what they change.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latency = try c.decodeIfPresent([EndpointGroup: LatencyFault].self, forKey: .latency) ?? [:]
        failures = try c.decodeIfPresent([EndpointGroup: FailureFault].self, forKey: .failures) ?? [:]
        throttles = try c.decodeIfPresent([EndpointGroup: ThrottleFault].self, forKey: .throttles) ?? [:]
        storms = try c.decodeIfPresent([EndpointGroup: StormFault].self, forKey: .storms) ?? [:]
        otherConsumer = try c.decodeIfPresent(OtherConsumerFault.self, forKey: .otherConsumer)
        hangs = try c.decodeIfPresent([EndpointGroup: CountOrFraction].self, forKey: .hangs) ?? [:]
        deadRefreshTokens = try c.decodeIfPresent([String: Int].self, forKey: .deadRefreshTokens) ?? [:]
        forbiddenCustomers = try c.decodeIfPresent(Set<String>.self, forKey: .forbiddenCustomers) ?? []
        failPostAfterDelete = try c.decodeIfPresent([String: Int].self, forKey: .failPostAfterDelete) ?? [:]
        conflictOnPost = try c.decodeIfPresent([String: Int].self, forKey: .conflictOnPost) ?? [:]
        authorizeError = try c.decodeIfPresent(AuthorizeErrorFault.self, forKey: .authorizeError)
        graphForbiddenTenants = try Set(c.decodeIfPresent([String].self, forKey: .graphForbiddenTenants)?.map { $0.lowercased() } ?? [])
        rateLimitsEnabled = try c.decodeIfPresent(Bool.self, forKey: .rateLimitsEnabled) ?? true
    }
}

/// A share of requests answered with a server error and no effect.
public struct FailureFault: Codable, Sendable, Equatable {
    public var fraction: Double
    /// 500 or 503 (Entra answers `temporarily_unavailable` on 503, `server_error` otherwise).
    public var status: Int

    public init(fraction: Double, status: Int = 503) {
        self.fraction = fraction
        self.status = status
    }
}

/// Forced 429s regardless of real rate limits.
public struct ThrottleFault: Codable, Sendable, Equatable {
    public var next: Int?
    public var fraction: Double?
    public var retryAfterSeconds: Int

    public init(next: Int? = nil, fraction: Double? = nil, retryAfterSeconds: Int = 1) {
        self.next = next
        self.fraction = fraction
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// "The next N requests" and/or "this share of requests"; both may be set.
public struct CountOrFraction: Codable, Sendable, Equatable {
    public var next: Int?
    public var fraction: Double?

    public init(next: Int? = nil, fraction: Double? = nil) {
        self.next = next
        self.fraction = fraction
    }
}

/// The error the next authorize request redirects with instead of a code.
public struct AuthorizeErrorFault: Codable, Sendable, Equatable {
    public var error: String
    public var errorDescription: String

    public init(error: String = "access_denied", errorDescription: String = "AADSTS65004: User declined to consent to access the app.") {
        self.error = error
        self.errorDescription = errorDescription
    }
}
