/// Partner Center's two limits (reference §4.4) for every key, under the model and numbers set at
/// start (`SimulatorOptions.rateLimits`) or at run time (`PUT /_sim/rate-limits`).
///
/// Consent calls (POST and DELETE together) share a 1-second window per application id; customer
/// reads (`GET /v1/customers`, `GET /v1/customers/{id}`) a 60-second window per partner tenant.
/// Keys come from the world (application ids, partner tenants), so their number is bounded.
final class RateLimiter: Sendable {
    private struct Books: Sendable {
        var settings: RateLimitOptions
        var ledgers: [String: RateLimitLedger] = [:]

        mutating func decide(_ key: String, rule: RateLimitRule, _ body: (inout RateLimitLedger) -> RateLimitLedger.Decision) -> RateLimitLedger.Decision {
            if let held = ledgers[key], held.model != rule.model { ledgers[key] = nil }
            // Mutated in place through the subscript, so the ledger's buffer is never copied.
            return body(&ledgers[key, default: RateLimitLedger(model: rule.model)])
        }
    }

    private let initial: RateLimitOptions
    private let books: LockedValue<Books>

    init(settings: RateLimitOptions) {
        initial = settings
        books = LockedValue(Books(settings: settings))
    }

    /// The settings in force; `enabled` is not read here (the faults' `rateLimitsEnabled` switch is).
    var settings: RateLimitOptions { books.withLock { $0.settings } }

    /// New settings; a new model starts every key afresh (the models remember different things).
    func update(_ settings: RateLimitOptions) {
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

    static func consentRule(_ s: RateLimitOptions) -> RateLimitRule {
        RateLimitRule(model: s.model, limit: s.applicationConsentsPerSecond, window: 1, countRejected: s.countRejected)
    }

    static func customerRule(_ s: RateLimitOptions) -> RateLimitRule {
        RateLimitRule(model: s.model, limit: s.customerRequestsPerMinute, window: 60, countRejected: s.countRejected)
    }

    /// A consent call of `applicationKey` at `instant`, after the other consumer's calls due by then.
    func admitConsentCall(applicationKey: String, at instant: Double, otherConsumer: OtherConsumerSchedule?) -> (RateLimitLedger.Decision, phantoms: Int) {
        books.withLock { b in
            let rule = Self.consentRule(b.settings)
            var phantoms = 0
            let decision = b.decide("consents|\(applicationKey)", rule: rule) { ledger in
                if let otherConsumer { phantoms = ledger.insertPhantoms(otherConsumer, through: instant, rule: rule) }
                return ledger.arrive(at: instant, rule: rule)
            }
            return (decision, phantoms)
        }
    }

    /// A customer read of partner tenant `partnerKey` at `instant`.
    func admitCustomerRead(partnerKey: String, at instant: Double) -> RateLimitLedger.Decision {
        books.withLock { b in
            let rule = Self.customerRule(b.settings)
            return b.decide("customers|\(partnerKey)", rule: rule) { $0.arrive(at: instant, rule: rule) }
        }
    }
}
