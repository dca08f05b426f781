import Foundation

extension SimulatorWorld {
    /// A world whose every id is derived from `seed`: the same seed always yields the same GUIDs.
    ///
    /// Customers are `reseller`s with one ARM subscription each and no consent yet; the
    /// `application` defaults to a CPV app with secret `sim-secret`, redirect `http://localhost/callback`
    /// and the directory-role claim (`wids`).
    public static func generated(
        seed: UInt64, partners: Int, customersPerPartner: Int, application: SimulatedApplication? = nil
    ) -> SimulatorWorld {
        var random = SeededGenerator(seed: seed)
        let app = application ?? SimulatedApplication(
            appId: random.nextGUID(),
            displayName: "CPV Simulator App",
            homeTenantId: random.nextGUID(),
            clientSecrets: [SimulatedClientSecret(value: "sim-secret")],
            redirectURIs: ["http://localhost/callback"],
            // Registered as docs/onboarding.md advises: directory roles in `wids`, by which the
            // consent callback confirms an admin (without it every consent is refused as unverifiable).
            groupMembershipClaims: "DirectoryRole"
        )
        var generatedPartners: [SimulatedPartner] = []
        generatedPartners.reserveCapacity(partners)
        for p in 0..<max(0, partners) {
            let domain = "partner\(p + 1).onmicrosoft.com"
            let admins = [
                SimulatedUser(userPrincipalName: "admin@\(domain)", objectId: random.nextGUID(), displayName: "Partner \(p + 1) Admin", didMFA: true),
                SimulatedUser(userPrincipalName: "nomfa@\(domain)", objectId: random.nextGUID(), displayName: "Partner \(p + 1) Operator", didMFA: false),
            ]
            let tenantId = random.nextGUID()
            var customers: [SimulatedCustomer] = []
            customers.reserveCapacity(customersPerPartner)
            for c in 0..<max(0, customersPerPartner) {
                customers.append(SimulatedCustomer(
                    tenantId: random.nextGUID(),
                    companyName: "Customer \(p + 1)-\(c + 1) Ltd",
                    domain: "p\(p + 1)customer\(c + 1).onmicrosoft.com",
                    relationshipToPartner: "reseller",
                    subscriptionIds: [random.nextGUID()]
                ))
            }
            generatedPartners.append(SimulatedPartner(
                tenantId: tenantId, displayName: "Partner \(p + 1)", domain: domain, adminUsers: admins,
                users: directoryUsers(tenantId: tenantId, domain: domain, label: "Partner \(p + 1)"), customers: customers
            ))
        }
        return SimulatorWorld(applications: [app], partners: generatedPartners)
    }
}

extension SimulatorWorld {
    /// The partner's other users, every kind the consent callback must tell apart: a plain member
    /// (`member@`), an Admin Agent without a directory role (`agent@`), and a guest from another
    /// tenant who holds Global Administrator (`guest@`), all with MFA. Their ids derive from the
    /// tenant id, so adding them left every other generated id as it was.
    static func directoryUsers(tenantId: String, domain: String, label: String) -> [SimulatedUser] {
        [
            SimulatedUser(
                userPrincipalName: "member@\(domain)", objectId: StableID.guid("member", tenantId), displayName: "\(label) Member"),
            SimulatedUser(
                userPrincipalName: "agent@\(domain)", objectId: StableID.guid("agent", tenantId), displayName: "\(label) Admin Agent",
                groups: ["AdminAgents"]),
            SimulatedUser(
                userPrincipalName: "guest_outside.example#EXT#@\(domain)", objectId: StableID.guid("guest", tenantId),
                displayName: "\(label) Guest", userType: "Guest", directoryRoles: [SimulatedUser.globalAdministrator],
                homeTenantId: StableID.guid("guest-home", tenantId)),
        ]
    }
}

/// SplitMix64: tiny, fast and stable across platforms, which is all stable ids need.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A version-4-shaped lowercase GUID.
    mutating func nextGUID() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let a = next(), b = next()
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return GUIDFormat.string(bytes)
    }
}

enum GUIDFormat {
    static func string(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    static func random() -> String { UUID().uuidString.lowercased() }

    static func isGUID(_ s: some StringProtocol) -> Bool { UUID(uuidString: String(s)) != nil }
}
