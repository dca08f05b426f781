import Foundation

/// The simulator's mutable world: consents, codes, refresh tokens, used `jti`s, idempotent answers,
/// Key Vault secrets. Faults, the call log, rate limits, statistics, dice and the clock sit behind
/// their own locks (nonisolated) because every request reads them.
public actor SimulatorState {
    nonisolated let index: WorldIndex
    public nonisolated let options: SimulatorOptions
    public nonisolated let clock: SimulatorClock
    nonisolated let faultStore: LockedValue<SimulatorFaults>
    nonisolated let callLog: CallLog
    nonisolated let rateLimiter: RateLimiter
    nonisolated let random: SimulatorRandom
    nonisolated let consentStats: LockedValue<ConsentStatsRecorder>
    nonisolated let graphLimiter: GraphLimiter
    nonisolated let graphStats = LockedValue(GraphStatsRecorder())
    nonisolated let signer = TokenSigner()
    nonisolated let hangGate = HangGate()
    nonisolated let verifiedTokens = VerifiedTokenCache()
    nonisolated let assertionValidators: [String: ClientAssertionValidator]

    var consents: [String: [String: ConsentRecord]] = [:]
    var codes: [String: AuthorizationCodeGrant] = [:]
    var refreshTokens: [String: RefreshTokenGrant] = [:]
    var usedJTIs: [String: Date] = [:]
    var idempotency: [String: StoredResponse] = [:]
    var idempotencyOrder: [String] = []
    var idempotencyHead = 0
    var secrets: [String: [SecretVersion]] = [:]
    /// Customers whose next POST fails because a DELETE just succeeded under `failPostAfterDelete`.
    var armedPostFailures: [String: Int] = [:]

    public init(world: SimulatorWorld, options: SimulatorOptions = SimulatorOptions(), clock: SimulatorClock = SimulatorClock()) {
        self.index = WorldIndex(world: world)
        self.options = options
        self.clock = clock
        var startFaults = Self.initialFaults(options)
        startFaults.stampStarts(now: clock.now().timeIntervalSince1970)
        self.faultStore = LockedValue(startFaults)
        self.callLog = CallLog(capacity: options.callLogCapacity)
        self.rateLimiter = RateLimiter(settings: options.rateLimits)
        self.graphLimiter = GraphLimiter(settings: options.graphLimits)
        self.random = SimulatorRandom(seed: options.randomSeed)
        self.consentStats = LockedValue(ConsentStatsRecorder(since: clock.now().timeIntervalSince1970))
        var validators: [String: ClientAssertionValidator] = [:]
        for app in world.applications { validators[app.appId.lowercased()] = ClientAssertionValidator(pems: app.certificatePEMs) }
        self.assertionValidators = validators
        self.consents = Self.initialConsents(index, options: options, now: clock.now())
    }

    /// The world's consents as loaded (`SimulatorState+Drift` adds the options' initial drift).
    static func initialConsents(_ index: WorldIndex, now: Date) -> [String: [String: ConsentRecord]] {
        var result: [String: [String: ConsentRecord]] = [:]
        for (id, entry) in index.customers where !entry.customer.consents.isEmpty {
            for consent in entry.customer.consents {
                result[id, default: [:]][consent.applicationId.lowercased()] = ConsentRecord(customerId: id, consent: consent, now: now)
            }
        }
        return result
    }

    // MARK: Control (public, in-process)

    public nonisolated var world: SimulatorWorld { index.world }

    public nonisolated var faults: SimulatorFaults { faultStore.value }

    /// The faults the simulator started with (options), which `reset()` and `DELETE /_sim/faults` restore.
    public nonisolated var initialFaults: SimulatorFaults { Self.initialFaults(options) }

    private static func initialFaults(_ options: SimulatorOptions) -> SimulatorFaults {
        var faults = options.faults
        faults.rateLimitsEnabled = faults.rateLimitsEnabled && options.rateLimits.enabled
        return faults
    }

    /// Replaces the faults; storms and the other consumer without a start begin now.
    public nonisolated func setFaults(_ faults: SimulatorFaults) {
        let now = clock.now().timeIntervalSince1970
        faultStore.withLock {
            $0 = faults
            $0.stampStarts(now: now)
        }
    }

    /// Changes faults atomically, e.g. to consume a one-shot setting and learn its value; storms and
    /// the other consumer added without a start begin now.
    @discardableResult
    public nonisolated func updateFaults<R: Sendable>(_ change: (inout SimulatorFaults) -> R) -> R {
        let now = clock.now().timeIntervalSince1970
        return faultStore.withLock {
            let result = change(&$0)
            $0.stampStarts(now: now)
            return result
        }
    }

    public nonisolated func calls() -> [CallRecord] { callLog.snapshot() }

    public nonisolated func clearCalls() { callLog.clear() }

    public nonisolated func advanceClock(by seconds: TimeInterval) { clock.advance(by: seconds) }

    /// The consents a customer holds right now, by application.
    public func consents(customerId: String) -> [SimulatedConsent] {
        (consents[customerId.lowercased()] ?? [:]).values.map(\.consent).sorted { $0.applicationId < $1.applicationId }
    }

    /// Every customer that holds at least one consent.
    public func allConsents() -> [String: [SimulatedConsent]] {
        consents.filter { !$0.value.isEmpty }.mapValues { $0.values.map(\.consent).sorted { $0.applicationId < $1.applicationId } }
    }

    /// Back to the world as loaded: consents (drift undone), tokens, secrets, faults, rate limits and
    /// Graph limits (settings and memory), statistics, dice, call log and clock.
    public func reset() {
        clock.reset()
        consents = Self.initialConsents(index, options: options, now: clock.now())
        codes = [:]
        refreshTokens = [:]
        usedJTIs = [:]
        idempotency = [:]
        idempotencyOrder = []
        idempotencyHead = 0
        secrets = [:]
        armedPostFailures = [:]
        setFaults(initialFaults)
        rateLimiter.reset()
        graphLimiter.reset()
        random.reset()
        resetStats()
        callLog.clear()
    }

    /// Mints a refresh token for a partner user directly, skipping the interactive flow (demo and tests).
    public func issueRefreshToken(clientId: String, userPrincipalName: String) -> String? {
        guard let entry = index.usersByUPN[userPrincipalName.lowercased()] else { return nil }
        return storeRefreshToken(RefreshTokenGrant(
            clientId: clientId.lowercased(), userObjectId: entry.user.objectId.lowercased(),
            partnerTenantId: entry.partnerTenantId, didMFA: entry.user.didMFA, issuedAt: clock.now()
        ))
    }

    // MARK: Idempotency

    func remembered(_ key: String) -> StoredResponse? { idempotency[key] }

    func remember(_ key: String, _ response: StoredResponse) {
        let capacity = max(1, options.idempotencyCapacity)
        if idempotency[key] == nil {
            if idempotencyOrder.count < capacity {
                idempotencyOrder.append(key)
            } else {
                idempotency[idempotencyOrder[idempotencyHead]] = nil
                idempotencyOrder[idempotencyHead] = key
                idempotencyHead = (idempotencyHead + 1) % capacity
            }
        }
        idempotency[key] = response
    }

    // MARK: Tokens

    func storeCode(_ grant: AuthorizationCodeGrant) -> String {
        // Codes live minutes; forget spent and expired ones so repeated sign-ins don't pile up.
        if codes.count > 10_000 {
            let now = clock.now()
            codes = codes.filter { !$0.value.redeemed && $0.value.expiresAt > now }
        }
        let code = "0.SIM" + Base64URL.encode((0..<48).map { _ in UInt8.random(in: 0...255) })
        codes[code] = grant
        return code
    }

    /// The code's grant; the first call spends it, so a second redemption answers AADSTS54005.
    func spendCode(_ code: String, now: Date) -> Result<AuthorizationCodeGrant, AADSTSError> {
        guard var grant = codes[code] else {
            return .failure(.invalidGrant(9002313, "Invalid request. Request is malformed or invalid: the authorization code is not recognised."))
        }
        if grant.redeemed { return .failure(.codeRedeemed) }
        grant.redeemed = true
        codes[code] = grant
        if grant.expiresAt < now {
            return .failure(.invalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."))
        }
        return .success(grant)
    }

    func storeRefreshToken(_ grant: RefreshTokenGrant) -> String {
        let token = "1.SIM" + Base64URL.encode((0..<64).map { _ in UInt8.random(in: 0...255) })
        refreshTokens[token] = grant
        return token
    }

    func refreshGrant(_ token: String) -> RefreshTokenGrant? { refreshTokens[token] }

    /// False when the `jti` was seen before (a replayed assertion).
    func useJTI(_ jti: String, expiresAt: Date, now: Date) -> Bool {
        if usedJTIs.count > 10_000 { usedJTIs = usedJTIs.filter { $0.value > now } }
        if let until = usedJTIs[jti], until > now { return false }
        usedJTIs[jti] = expiresAt
        return true
    }

    func consentRecord(customerId: String, applicationId: String) -> ConsentRecord? {
        consents[customerId]?[applicationId.lowercased()]
    }

    func consentRecords(customerId: String) -> [ConsentRecord] {
        (consents[customerId] ?? [:]).values.sorted { $0.createdAt < $1.createdAt }
    }
}
