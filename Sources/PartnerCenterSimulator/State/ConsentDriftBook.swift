/// Drift applied to a tenant → application → record map, pure so that the actor's control calls
/// and the world file's initial drift (`SimulatorOptions.drift`) share one implementation.
struct ConsentDriftBook {
    var consents: [String: [String: ConsentRecord]]
    let index: WorldIndex
    /// The application a drift without `applicationId` is about: the world's first (the CPV app).
    let defaultApplication: String

    private func resources(of customerId: String) -> [String] {
        index.customers[customerId]?.customer.resourceServicePrincipals ?? WellKnownResource.defaultServicePrincipals
    }

    func application(of drift: ConsentDrift) -> String { drift.applicationId ?? defaultApplication }

    /// Applies `drift` in one customer; its record afterwards, or nil when the service principal was deleted.
    mutating func apply(_ drift: ConsentDrift, customerId: String) throws(ConsentDriftError) -> ConsentRecord? {
        let customerId = customerId.lowercased()
        guard index.customers[customerId] != nil else { throw .unknownCustomer(customerId) }
        let appId = application(of: drift)
        guard var record = consents[customerId]?[appId] else { throw .noConsent(customerId: customerId, applicationId: appId) }
        if drift.kind == .deleteServicePrincipal {
            consents[customerId]?[appId] = nil
            return nil
        }
        try record.apply(drift, customerId: customerId, resources: resources(of: customerId))
        consents[customerId]?[appId] = record
        return record
    }

    /// The customers `drift` applies to right now, sorted: holding a consent of the application and,
    /// for a scope drift, where that scope can be removed or added.
    func candidates(for drift: ConsentDrift) -> [String] {
        consents.keys.sorted().filter { customerId in
            guard var record = consents[customerId]?[application(of: drift)] else { return false }
            do {
                try record.apply(drift, customerId: customerId, resources: resources(of: customerId))
                return true
            } catch {
                return false
            }
        }
    }

    /// Applies `drift` to round(fraction × N) of its N candidates, chosen at random (repeatably with
    /// `seed`); returns their ids, sorted, and N.
    mutating func apply(_ drift: ConsentDrift, fraction: Double, seed: UInt64?) -> (customerIds: [String], candidates: Int) {
        let candidates = self.candidates(for: drift)
        let count = min(candidates.count, Int((max(0, min(1, fraction)) * Double(candidates.count)).rounded()))
        let shuffled: [String]
        if let seed {
            var generator = SeededGenerator(seed: seed)
            shuffled = candidates.shuffled(using: &generator)
        } else {
            shuffled = candidates.shuffled()
        }
        let chosen = shuffled.prefix(count).sorted()
        for customerId in chosen { _ = try? apply(drift, customerId: customerId) }
        return (chosen, candidates.count)
    }

    /// A world file's drift: named customers (those it does not apply to are skipped), or a fraction.
    mutating func apply(_ setting: DriftSetting) {
        if let customerIds = setting.customerIds {
            for customerId in customerIds { _ = try? apply(setting.drift, customerId: customerId) }
        } else {
            _ = apply(setting.drift, fraction: setting.fraction ?? 0, seed: setting.seed)
        }
    }
}

/// Drift a world file asks for at start (and again after `/_sim/reset`), applied to the world's
/// initial consents in order: `{"kind": "removeScope", "resourceAppId": "…", "scope": "…",
/// "customerIds": ["…"]}` or the same with `"fraction": 0.1, "seed": 7` instead of `customerIds`.
public struct DriftSetting: Codable, Sendable, Equatable {
    public var drift: ConsentDrift
    public var customerIds: [String]?
    public var fraction: Double?
    public var seed: UInt64?

    public init(drift: ConsentDrift, customerIds: [String]? = nil, fraction: Double? = nil, seed: UInt64? = nil) {
        self.drift = drift
        self.customerIds = customerIds
        self.fraction = fraction
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey { case customerIds, fraction, seed }

    public init(from decoder: any Decoder) throws {
        drift = try ConsentDrift(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        customerIds = try c.decodeIfPresent([String].self, forKey: .customerIds)
        fraction = try c.decodeIfPresent(Double.self, forKey: .fraction)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        guard (customerIds == nil) != (fraction == nil), (0...1).contains(fraction ?? 0) else {
            throw DecodingError.dataCorruptedError(
                forKey: .fraction, in: c, debugDescription: "a drift setting needs customerIds or a fraction between 0 and 1, not both")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try drift.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(customerIds, forKey: .customerIds)
        try c.encodeIfPresent(fraction, forKey: .fraction)
        try c.encodeIfPresent(seed, forKey: .seed)
    }
}
