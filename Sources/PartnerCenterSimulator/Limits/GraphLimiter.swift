/// Which Graph budget refused a request.
enum GraphLimitScope: String, Sendable, Equatable {
    case application, tenant
}

/// What the Graph limiter says about one request.
enum GraphLimitDecision: Sendable, Equatable {
    case admitted
    case refused(retryAfterSeconds: Int, scope: GraphLimitScope)
}

/// Graph's two budgets for every key (reference §12.4): per application id across tenants, and per
/// application id in one tenant, both over 10 seconds, under `GraphLimitOptions` set at start or at
/// run time (`PUT /_sim/graph-limits`). Keys come from tokens the simulator signed (applications and
/// tenants of the world), so their number is bounded.
final class GraphLimiter: Sendable {
    private struct Books: Sendable {
        var settings: GraphLimitOptions
        var ledgers: [String: RateLimitLedger] = [:]

        mutating func ledger<R>(_ key: String, model: RateLimitModel, _ body: (inout RateLimitLedger) -> R) -> R {
            if let held = ledgers[key], held.model != model { ledgers[key] = nil }
            return body(&ledgers[key, default: RateLimitLedger(model: model)])
        }
    }

    private let initial: GraphLimitOptions
    private let books: LockedValue<Books>

    init(settings: GraphLimitOptions) {
        initial = settings
        books = LockedValue(Books(settings: settings))
    }

    var settings: GraphLimitOptions { books.withLock { $0.settings } }

    /// New settings; a new model starts every key afresh (the models remember different things).
    func update(_ settings: GraphLimitOptions) {
        books.withLock { b in
            if b.settings.model != settings.model { b.ledgers.removeAll() }
            b.settings = settings
        }
    }

    /// Back to the settings the simulator started with, every key forgotten.
    func reset() {
        books.withLock { b in
            b.settings = initial
            b.ledgers.removeAll()
        }
    }

    /// One Graph request of `application` in `tenant` at `instant` (Unix seconds). A request is admitted
    /// only when both budgets have room. A refused one occupies both windows when refused calls count
    /// ("every request counts"); otherwise neither, so one budget is never charged for a call the other
    /// refused.
    func admit(application: String, tenant: String, at instant: Double) -> GraphLimitDecision {
        books.withLock { b in
            guard b.settings.enabled else { return .admitted }
            let model = b.settings.model, countRejected = b.settings.countRejected
            let appRule = b.settings.applicationRule, tenantRule = b.settings.tenantRule
            let appKey = "graph-app|\(application)", tenantKey = "graph-tenant|\(application)|\(tenant)"
            let appRoom = b.ledger(appKey, model: model) { $0.wouldAdmit(at: instant, rule: appRule) }
            let tenantRoom = b.ledger(tenantKey, model: model) { $0.wouldAdmit(at: instant, rule: tenantRule) }
            if appRoom && tenantRoom {
                _ = b.ledger(tenantKey, model: model) { $0.arrive(at: instant, rule: tenantRule) }
                _ = b.ledger(appKey, model: model) { $0.arrive(at: instant, rule: appRule) }
                return .admitted
            }
            var retryAfter = 1
            var scope = GraphLimitScope.tenant
            if !tenantRoom || countRejected,
               case .refused(let seconds) = b.ledger(tenantKey, model: model, { $0.arrive(at: instant, rule: tenantRule) }) {
                retryAfter = seconds
            }
            if !appRoom || countRejected,
               case .refused(let seconds) = b.ledger(appKey, model: model, { $0.arrive(at: instant, rule: appRule) }) {
                retryAfter = max(retryAfter, seconds)
                // Named when both refuse: the budget the whole fleet shares is the one to back off from.
                scope = .application
            }
            return .refused(retryAfterSeconds: retryAfter, scope: scope)
        }
    }
}
