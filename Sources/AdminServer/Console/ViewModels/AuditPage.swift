import ConsentDomain
import ConsentStore
import Foundation

/// The filters of the audit search, as read from the query string.
struct AuditListFilter: Sendable, Equatable {
    var partnerID: UUID?
    var customerID: Int64?
    var runID: UUID?
    var action: String?
    var beforeSeq: Int64?

    func href(before: Int64?, verify: Bool = false) -> String {
        var items: [URLQueryItem] = []
        if let partnerID { items.append(.init(name: "partner", value: ConsoleFormat.id(partnerID))) }
        if let customerID { items.append(.init(name: "customer", value: String(customerID))) }
        if let runID { items.append(.init(name: "run", value: ConsoleFormat.id(runID))) }
        if let action { items.append(.init(name: "action", value: action)) }
        if let before { items.append(.init(name: "before", value: String(before))) }
        if verify { items.append(.init(name: "verify", value: "1")) }
        var components = URLComponents()
        components.path = "/console/audit"
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "/console/audit"
    }
}

/// The audit search: filters, a page of events, paging, and the chain's verification on request.
struct AuditPage: Sendable {
    static let pageSize = 50

    struct Chain: Sendable {
        let intact: Bool
        let checked: String
        let lastSeq: String
        let breakSeq: String?
        let breakReason: String?
    }

    let chrome: ConsoleChrome
    let partners: [SelectOption]
    let customerID: String
    let runID: String
    let action: String
    let events: [AuditRow]
    let isEmpty: Bool
    let nextHref: String?
    let firstHref: String?
    let verifyHref: String
    let chain: Chain?

    init(chrome: ConsoleChrome, filter: AuditListFilter, partners: [Partner], events: [AuditEventSummary], chain: AuditChainVerifier.Report?) {
        self.chrome = chrome
        self.partners = [SelectOption(value: "", label: "All partners", selected: filter.partnerID == nil)]
            + partners.sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }.map {
                SelectOption(value: ConsoleFormat.id($0.id), label: $0.displayName, selected: $0.id == filter.partnerID)
            }
        customerID = filter.customerID.map(String.init) ?? ""
        runID = filter.runID.map(ConsoleFormat.id) ?? ""
        action = filter.action ?? ""
        let page = events.prefix(Self.pageSize)
        self.events = page.map(AuditRow.init)
        isEmpty = page.isEmpty
        nextHref = events.count > Self.pageSize ? page.last.map { filter.href(before: $0.seq) } : nil
        firstHref = filter.beforeSeq != nil ? filter.href(before: nil) : nil
        verifyHref = filter.href(before: filter.beforeSeq, verify: true)
        self.chain = chain.map {
            Chain(
                intact: $0.isIntact, checked: ConsoleFormat.count(Int($0.checkedEvents)), lastSeq: String($0.lastSeq),
                breakSeq: $0.firstBreak.map { String($0.seq) }, breakReason: $0.firstBreak?.reason)
        }
    }
}
