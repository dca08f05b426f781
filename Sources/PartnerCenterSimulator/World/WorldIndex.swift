import Foundation

/// Immutable lookups over the world, built once so hot paths need no lock.
struct WorldIndex: Sendable {
    struct UserEntry: Sendable {
        var user: SimulatedUser
        var partnerTenantId: String
        /// Listed among the partner's `adminUsers` (Global Administrator unless roles say otherwise).
        var listedAsAdmin: Bool = false

        /// The directory role template ids the user holds.
        var directoryRoles: [String] {
            user.directoryRoles ?? (listedAsAdmin ? [SimulatedUser.globalAdministrator] : [])
        }
    }

    struct CustomerEntry: Sendable {
        var customer: SimulatedCustomer
        var partnerTenantId: String
        /// The customer as Partner Center lists it, encoded once: paging then only concatenates bytes.
        var listJSON: [UInt8]
    }

    let world: SimulatorWorld
    let applications: [String: SimulatedApplication]
    let partners: [String: SimulatedPartner]
    /// Customers of each partner in world order, which is the listing order.
    let customerIdsByPartner: [String: [String]]
    let customers: [String: CustomerEntry]
    let usersByUPN: [String: UserEntry]
    let usersByObjectId: [String: UserEntry]
    let tenantIdsByDomain: [String: String]

    init(world: SimulatorWorld) {
        self.world = world
        var apps: [String: SimulatedApplication] = [:]
        for app in world.applications { apps[app.appId.lowercased()] = app }
        var partners: [String: SimulatedPartner] = [:]
        var byPartner: [String: [String]] = [:]
        var customers: [String: CustomerEntry] = [:]
        var byUPN: [String: UserEntry] = [:]
        var byOid: [String: UserEntry] = [:]
        var domains: [String: String] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for partner in world.partners {
            let pid = partner.tenantId.lowercased()
            partners[pid] = partner
            domains[partner.domain.lowercased()] = pid
            for (user, admin) in partner.adminUsers.map({ ($0, true) }) + partner.users.map({ ($0, false) }) {
                let entry = UserEntry(user: user, partnerTenantId: pid, listedAsAdmin: admin)
                byUPN[user.userPrincipalName.lowercased()] = entry
                byOid[user.objectId.lowercased()] = entry
            }
            var ids: [String] = []
            ids.reserveCapacity(partner.customers.count)
            for customer in partner.customers {
                let cid = customer.tenantId.lowercased()
                ids.append(cid)
                domains[customer.domain.lowercased()] = cid
                let json = (try? encoder.encode(PartnerCenterCustomerJSON(customer))) ?? Data("{}".utf8)
                customers[cid] = CustomerEntry(customer: customer, partnerTenantId: pid, listJSON: Array(json))
            }
            byPartner[pid] = ids
        }
        self.applications = apps
        self.partners = partners
        self.customerIdsByPartner = byPartner
        self.customers = customers
        self.usersByUPN = byUPN
        self.usersByObjectId = byOid
        self.tenantIdsByDomain = domains
    }

    /// What a tenant path segment names: a partner, a customer, an app's home tenant, or a multi-tenant alias.
    enum TenantRef: Sendable, Equatable {
        case partner(String)
        case customer(String)
        case applicationHome(String)
        case common
    }

    func resolveTenant(_ segment: String) -> TenantRef? {
        let s = segment.lowercased()
        if s == "common" || s == "organizations" { return .common }
        let id = tenantIdsByDomain[s] ?? s
        if partners[id] != nil { return .partner(id) }
        if customers[id] != nil { return .customer(id) }
        if applications.values.contains(where: { $0.homeTenantId.lowercased() == id }) { return .applicationHome(id) }
        return nil
    }
}
