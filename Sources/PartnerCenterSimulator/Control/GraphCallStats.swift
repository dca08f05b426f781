/// Graph requests (`/v1.0/...`), as a benchmark reads them: how many, by route template and status,
/// and why the refused ones were refused. Part of `GET /_sim/stats`.
public struct GraphCallStats: Codable, Sendable, Equatable {
    /// Every Graph request that reached the simulator.
    public var calls = 0
    /// Answers by HTTP status, e.g. `{"200": 40, "404": 2, "429": 3, "503": 1}`.
    public var answered: [String: Int] = [:]
    /// Answers by route template and status, e.g.
    /// `{"GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants": {"200": 20}}`.
    public var routes: [String: [String: Int]] = [:]
    /// 429s of the Graph limiter, by the budget that refused.
    public var throttledByApplicationLimit = 0
    public var throttledByTenantLimit = 0
    /// Injected 429s (`throttles.graph`, sporadic or "next N"; `storms.graph`).
    public var throttledSporadic = 0
    public var throttledByStorm = 0
    /// Injected 5xx answers (`failures.graph`) and hangs.
    public var injectedFailures = 0
    public var hangs = 0
    /// Distinct tenants (the tokens' `tid`; requests without a token of ours are in no tenant) that made
    /// Graph requests: calls ÷ tenants is calls per tenant.
    public var tenants = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case calls, answered, routes, throttledByApplicationLimit, throttledByTenantLimit, throttledSporadic, throttledByStorm
        case injectedFailures, hangs, tenants
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calls = try c.decodeIfPresent(Int.self, forKey: .calls) ?? 0
        answered = try c.decodeIfPresent([String: Int].self, forKey: .answered) ?? [:]
        routes = try c.decodeIfPresent([String: [String: Int]].self, forKey: .routes) ?? [:]
        throttledByApplicationLimit = try c.decodeIfPresent(Int.self, forKey: .throttledByApplicationLimit) ?? 0
        throttledByTenantLimit = try c.decodeIfPresent(Int.self, forKey: .throttledByTenantLimit) ?? 0
        throttledSporadic = try c.decodeIfPresent(Int.self, forKey: .throttledSporadic) ?? 0
        throttledByStorm = try c.decodeIfPresent(Int.self, forKey: .throttledByStorm) ?? 0
        injectedFailures = try c.decodeIfPresent(Int.self, forKey: .injectedFailures) ?? 0
        hangs = try c.decodeIfPresent(Int.self, forKey: .hangs) ?? 0
        tenants = try c.decodeIfPresent(Int.self, forKey: .tenants) ?? 0
    }
}

/// Why a Graph request got the answer it got.
enum GraphAnswerCause: Sendable, Equatable {
    case route
    case limiter(GraphLimitScope)
    case injected(InjectedFault)
}

/// Pure bookkeeping behind `GraphCallStats`.
struct GraphStatsRecorder: Sendable {
    private(set) var stats = GraphCallStats()
    /// Bounded by the world's tenants: tokens are only signed for them.
    private var seenTenants: Set<String> = []

    mutating func answered(route: String, status: Int, cause: GraphAnswerCause, tenant: String) {
        stats.calls += 1
        let code = String(status)
        stats.answered[code, default: 0] += 1
        stats.routes[route, default: [:]][code, default: 0] += 1
        if tenant != GraphCaller.unidentified, seenTenants.insert(tenant).inserted { stats.tenants = seenTenants.count }
        switch cause {
        case .route: break
        case .limiter(.application): stats.throttledByApplicationLimit += 1
        case .limiter(.tenant): stats.throttledByTenantLimit += 1
        case .injected(.throttle): stats.throttledSporadic += 1
        case .injected(.storm): stats.throttledByStorm += 1
        case .injected(.failure): stats.injectedFailures += 1
        case .injected(.hang): stats.hangs += 1
        }
    }
}

/// The route template a Graph path is counted under: ids become `{id}`, and anything the simulator
/// does not serve is `other`, so the statistics stay small whatever clients send.
enum GraphRouteTemplate {
    private static let collections: Set<String> = ["servicePrincipals", "oauth2PermissionGrants", "organization", "domains", "me"]
    private static let relations: Set<String> = [
        "oauth2PermissionGrants", "appRoleAssignments", "memberOf", "transitiveMemberOf",
        "microsoft.graph.directoryRole", "microsoft.graph.group",
    ]

    static func of(method: String, path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2, parts[0] == "v1.0", collections.contains(parts[1]) else { return "\(method) /v1.0/other" }
        var template = ["v1.0", parts[1]]
        for (offset, part) in parts.dropFirst(2).enumerated() {
            if relations.contains(part) {
                template.append(part)
            } else if offset == 0 && parts[1] != "me" {
                template.append("{id}")
            } else {
                return "\(method) /v1.0/other"
            }
        }
        return "\(method) /" + template.joined(separator: "/")
    }
}
