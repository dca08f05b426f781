/// Tokens already verified, by their exact text: a client reuses one access token for an hour, and
/// decoding its JSON on every call was the largest per-request cost in the benchmark. A hit proves the
/// signature (the same bytes verified before); expiry is still checked on every use by the caller.
final class VerifiedTokenCache: Sendable {
    private struct Entries: Sendable {
        var claims: [String: AccessTokenClaims] = [:]
    }

    private let entries = LockedValue(Entries())
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func claims(for token: String) -> AccessTokenClaims? {
        entries.withLock { $0.claims[token] }
    }

    func store(_ claims: AccessTokenClaims, for token: String) {
        entries.withLock { e in
            // Crude but bounded: start over when full; the working set of live tokens is small.
            if e.claims.count >= capacity { e.claims.removeAll(keepingCapacity: true) }
            e.claims[token] = claims
        }
    }
}
