import ConsentDomain
import ConsentStore
import Foundation

/// The filters of the customer list, as read from the query string.
struct CustomerListFilter: Sendable, Equatable {
    var partnerID: UUID?
    var state: ConsentState?
    var stale: Bool = false
    var search: String?
    var afterID: Int64?

    /// The list's URL with these filters and another position.
    func href(after: Int64?) -> String {
        var items: [URLQueryItem] = []
        if let partnerID { items.append(.init(name: "partner", value: ConsoleFormat.id(partnerID))) }
        if let state { items.append(.init(name: "state", value: state.rawValue)) }
        if stale { items.append(.init(name: "stale", value: "1")) }
        if let search { items.append(.init(name: "q", value: search)) }
        if let after { items.append(.init(name: "after", value: String(after))) }
        var components = URLComponents()
        components.path = "/console/customers"
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "/console/customers"
    }

    var isFiltered: Bool { partnerID != nil || state != nil || stale || search != nil }
}

/// The customer list: filters, one page of customers, a link to the next page.
struct CustomersPage: Sendable {
    static let pageSize = 50

    let chrome: ConsoleChrome
    let partners: [SelectOption]
    let states: [SelectOption]
    let stale: Bool
    let search: String
    let customers: [CustomerRow]
    let isEmpty: Bool
    let isFiltered: Bool
    let nextHref: String?
    let firstHref: String?

    /// - Parameter customers: up to `pageSize + 1` rows; the extra one only tells that a next page exists.
    init(chrome: ConsoleChrome, filter: CustomerListFilter, partners: [Partner], customers: [CustomerSummary]) {
        self.chrome = chrome
        let names = Dictionary(partners.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        self.partners = [SelectOption(value: "", label: "All partners", selected: filter.partnerID == nil)]
            + partners.sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }.map {
                SelectOption(value: ConsoleFormat.id($0.id), label: $0.displayName, selected: $0.id == filter.partnerID)
            }
        // Missing first: it is the state staff look for.
        let order: [ConsentState] = [.missing, .failed, .blocked, .unknown, .granting, .granted, .revoked]
        states = [SelectOption(value: "", label: "Any state", selected: filter.state == nil)]
            + order.map { SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == filter.state) }
        stale = filter.stale
        search = filter.search ?? ""
        let page = customers.prefix(Self.pageSize)
        self.customers = page.map { CustomerRow($0, partnerName: names[$0.partnerID]) }
        isEmpty = page.isEmpty
        isFiltered = filter.isFiltered
        nextHref = customers.count > Self.pageSize ? page.last.map { filter.href(after: $0.id) } : nil
        firstHref = filter.afterID != nil ? filter.href(after: nil) : nil
    }
}

/// One customer: its consent, the history of calls and changes, and the re-grant button.
struct CustomerPage: Sendable {
    let chrome: ConsoleChrome
    let customer: CustomerRow
    let partnerName: String
    let partnerHref: String
    let relationship: String
    let firstSeen: String
    let lastSeen: String
    let lastAttempt: String
    let attempts: String
    let lastError: String?
    let canRegrant: Bool
    let history: [AuditRow]
    let hasHistory: Bool
    /// The last reading through Graph; nil when the tenant was never read.
    let verification: VerificationPanel?

    init(
        chrome: ConsoleChrome, customer: CustomerSummary, partner: Partner?, history: [AuditEventSummary],
        verification: VerificationPanel? = nil
    ) {
        self.verification = verification
        self.chrome = chrome
        self.customer = CustomerRow(customer, partnerName: partner?.displayName)
        partnerName = partner?.displayName ?? ConsoleFormat.shortID(customer.partnerID)
        partnerHref = "/console/partners/\(ConsoleFormat.id(customer.partnerID))"
        relationship = customer.relationship ?? "—"
        firstSeen = ConsoleFormat.time(customer.firstSeenAt)
        lastSeen = ConsoleFormat.time(customer.lastSeenAt)
        lastAttempt = ConsoleFormat.time(customer.lastAttemptAt)
        attempts = ConsoleFormat.count(customer.attempts)
        lastError = customer.lastError.map { error in customer.lastErrorCode.map { "\($0): \(error)" } ?? error }
        canRegrant = chrome.canOperate && customer.removedAt == nil && partner?.status != .disabled
        self.history = history.map(AuditRow.init)
        hasHistory = !history.isEmpty
    }
}
