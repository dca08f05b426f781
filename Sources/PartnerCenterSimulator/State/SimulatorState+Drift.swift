import Foundation

/// Drift: changes to what Graph shows in customer tenants, made behind Partner Center's back, each
/// one actor turn like the consent writes.
extension SimulatorState {
    /// Moves the consents into a drift book, so that editing them copies nothing; the caller moves
    /// them back (in a `defer`, so a refusal loses nothing).
    private func takeDriftBook() -> ConsentDriftBook {
        let book = ConsentDriftBook(consents: consents, index: index, defaultApplication: world.applications.first?.appId.lowercased() ?? "")
        consents = [:]
        return book
    }

    /// Applies `drift` in one customer; its consent record afterwards, or nil when the service principal was deleted.
    @discardableResult
    func applyDrift(_ drift: ConsentDrift, customerId: String) throws(ConsentDriftError) -> ConsentRecord? {
        var book = takeDriftBook()
        defer { consents = book.consents }
        return try book.apply(drift, customerId: customerId)
    }

    /// Applies `drift` to round(fraction × N) of the N customers it applies to right now (those
    /// holding a consent of the application, and for a scope drift, where that scope can be removed or
    /// added), chosen at random: repeatably with `seed`. Returns their ids, sorted, and N.
    public func applyDrift(_ drift: ConsentDrift, fraction: Double, seed: UInt64?) -> (customerIds: [String], candidates: Int) {
        var book = takeDriftBook()
        defer { consents = book.consents }
        return book.apply(drift, fraction: fraction, seed: seed)
    }

    /// One customer's drift for in-process callers.
    public func drift(customerId: String, _ drift: ConsentDrift) throws(ConsentDriftError) {
        try applyDrift(drift, customerId: customerId)
    }

    /// The world's consents with the options' initial drift applied, in order.
    static func initialConsents(_ index: WorldIndex, options: SimulatorOptions, now: Date) -> [String: [String: ConsentRecord]] {
        var book = ConsentDriftBook(
            consents: initialConsents(index, now: now), index: index, defaultApplication: index.world.applications.first?.appId.lowercased() ?? "")
        for setting in options.drift { book.apply(setting) }
        return book.consents
    }
}
