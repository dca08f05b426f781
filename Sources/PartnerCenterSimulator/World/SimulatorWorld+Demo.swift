import Foundation

extension SimulatorWorld {
    /// The partners of the demo world: realistic names and uneven sizes, because a console that
    /// only ever shows "Partner 1..3 × 1,000" hides the layout problems real data brings.
    static let demoPartners: [(name: String, domain: String, customers: Int)] = [
        ("Contoso Cloud Services", "contosocloud", 800),
        ("Fabrikam IT Partners", "fabrikamit", 500),
        ("Northwind Managed Services", "northwindms", 400),
        ("Tailspin Networks", "tailspinnet", 200),
        ("Woodgrove Solutions", "woodgrovesol", 100),
    ]

    private static let demoNameFirst = [
        "Alpine", "Bluewater", "Cedar", "Copper", "Crescent", "Evergreen", "Falcon", "Granite", "Harbor", "Juniper",
        "Lakeside", "Maple", "Meridian", "Northgate", "Oakridge", "Pinecrest", "Redwood", "Riverbend", "Silverline",
        "Summit", "Sunrise", "Tidewater", "Valley", "Westfield", "Willow",
    ]
    private static let demoNameSecond = [
        "Dental", "Logistics", "Legal", "Accounting", "Architects", "Veterinary", "Engineering", "Bakery", "Clinic",
        "Builders", "Realty", "Consulting", "Pharmacy", "Insurance", "Motors", "Foods", "Design", "Schools",
        "Hotels", "Media",
    ]
    private static let demoNameThird = ["Group", "Ltd", "GmbH", "LLC", "Partners", "Co", "AG", "Inc", "BV", "SARL"]

    /// The world `ops/demo` starts: five partners with 2,000 customers between them, each partner
    /// with an MFA admin (`admin@…`) and a user without MFA (`nomfa@…`). One customer in ten
    /// already holds an older consent of the application (a narrower Graph grant from "the
    /// previous tool"), as real tenants do. Ids derive from `seed`.
    public static func demo(seed: UInt64 = 2026, application: SimulatedApplication) -> SimulatorWorld {
        var random = SeededGenerator(seed: seed)
        var partners: [SimulatedPartner] = []
        for (p, spec) in demoPartners.enumerated() {
            let domain = "\(spec.domain).onmicrosoft.com"
            let admins = [
                SimulatedUser(userPrincipalName: "admin@\(domain)", objectId: random.nextGUID(), displayName: "\(spec.name) Admin", didMFA: true),
                SimulatedUser(userPrincipalName: "nomfa@\(domain)", objectId: random.nextGUID(), displayName: "\(spec.name) Helpdesk", didMFA: false),
            ]
            let tenantId = random.nextGUID()
            var customers: [SimulatedCustomer] = []
            customers.reserveCapacity(spec.customers)
            for c in 0..<spec.customers {
                // 25 × 20 distinct pairs per partner; a number only past the 500th customer.
                let first = demoNameFirst[c % demoNameFirst.count]
                let second = demoNameSecond[(c / demoNameFirst.count + p * 3) % demoNameSecond.count]
                let third = demoNameThird[(c / 7 + p) % demoNameThird.count]
                let number = c / (demoNameFirst.count * demoNameSecond.count) + 1
                let company = number > 1 ? "\(first) \(second) \(number) \(third)" : "\(first) \(second) \(third)"
                let slug = "\(first)\(second)\(p + 1)x\(c + 1)".lowercased()
                let consents = c % 10 == 3
                    ? [SimulatedConsent(
                        applicationId: application.appId, displayName: application.displayName,
                        applicationGrants: [SimulatedGrant(enterpriseApplicationId: WellKnownResource.graph.applicationId, scope: "Directory.Read.All")])]
                    : []
                customers.append(SimulatedCustomer(
                    tenantId: random.nextGUID(), companyName: company, domain: "\(slug).onmicrosoft.com",
                    relationshipToPartner: "reseller", consents: consents, subscriptionIds: [random.nextGUID()]))
            }
            partners.append(SimulatedPartner(
                tenantId: tenantId, displayName: spec.name, domain: domain, adminUsers: admins,
                users: directoryUsers(tenantId: tenantId, domain: domain, label: spec.name), customers: customers))
        }
        return SimulatorWorld(applications: [application], partners: partners)
    }
}
