import ConsentStore
import Foundation
import Hummingbird

/// `GET /api/v1/customers` (filtered, keyset-paginated by id) and `GET /api/v1/customers/{id}`
/// (the customer, its consent state and its most recent audit events). Viewer.
/// Wiring: `CustomerReadRoutes(customers: CustomerQuery(client:), audit: AuditQuery(client:)).register(on: api)`.
public struct CustomerReadRoutes: Sendable {
    let customers: CustomerQuery
    let audit: AuditQuery

    public init(customers: CustomerQuery, audit: AuditQuery) {
        self.customers = customers
        self.audit = audit
    }

    static let states: Set<String> = ["unknown", "granting", "granted", "failed", "missing", "blocked", "revoked"]
    static let recentAuditEvents = 20

    struct DetailDTO: Encodable {
        let customer: CustomerDTO
        let recentAudit: [AuditEventDTO]
    }

    public func register(on api: RouterGroup<AppRequestContext>) {
        api.get("/customers") { request, context in
            _ = try context.require(.viewer)
            let query = QueryParameters(request)
            let state = try query.string("state")
            if let state, !Self.states.contains(state) {
                throw APIError(
                    .badRequest, code: "invalid_state", message: "state must be one of \(Self.states.sorted().joined(separator: ", "))",
                    details: ["parameter": "state"])
            }
            let limit = try query.limit()
            let filter = CustomerFilter(
                partnerID: try query.uuid("partnerId"), state: state,
                grantSetVersion: try query.int("grantSetVersion", in: 1...Int(Int32.max)), removed: try query.bool("removed"),
                search: try query.string("q").flatMap { $0.isEmpty ? nil : $0 },
                afterID: try PageCursor.decode(query.string("cursor"), kind: "c"), limit: limit)
            let page = try await customers.list(filter, logger: context.logger)
            // A full page may have a successor; a short one certainly has not.
            let next = page.count == limit ? page.last.map { PageCursor.encode(kind: "c", position: $0.id) } : nil
            return try JSONBody.response(PageDTO(items: page.map(CustomerDTO.init), nextCursor: next))
        }
        api.get("/customers/{id}") { _, context in
            _ = try context.require(.viewer)
            guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
                throw APIError(.badRequest, code: "invalid_customer_id", message: "the customer id must be a positive integer")
            }
            guard let customer = try await customers.customer(id: id, logger: context.logger) else {
                throw APIError.notFound("no customer \(id)")
            }
            let events = try await audit.search(AuditFilter(customerID: id, limit: Self.recentAuditEvents), logger: context.logger)
            return try JSONBody.response(DetailDTO(customer: CustomerDTO(customer), recentAudit: events.map(AuditEventDTO.init)))
        }
    }
}
