import ConsentStore
import Foundation
import Hummingbird

/// `GET /api/v1/customers` (filtered, keyset-paginated by id) and `GET /api/v1/customers/{id}`
/// (the customer, its consent state, its last Graph reading and its most recent audit events). Viewer.
/// Wiring: `CustomerReadRoutes(customers: CustomerQuery(client:), audit: AuditQuery(client:),
/// verifications: VerificationRepository(client:)).register(on: api)`.
public struct CustomerReadRoutes: Sendable {
    let customers: CustomerQuery
    let audit: AuditQuery
    let verifications: VerificationRepository

    public init(customers: CustomerQuery, audit: AuditQuery, verifications: VerificationRepository) {
        self.customers = customers
        self.audit = audit
        self.verifications = verifications
    }

    static let states: Set<String> = ["unknown", "granting", "granted", "failed", "missing", "blocked", "revoked"]
    static let recentAuditEvents = 20

    struct DetailDTO: Encodable {
        let customer: CustomerDTO
        /// The last reading through Graph (reconcile); null when the tenant was never read.
        let verification: VerificationDTO?
        let recentAudit: [AuditEventDTO]

        // Encoded by hand so that a tenant never read says `"verification": null`, not nothing.
        private enum CodingKeys: String, CodingKey { case customer, verification, recentAudit }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(customer, forKey: .customer)
            try container.encode(verification, forKey: .verification)
            try container.encode(recentAudit, forKey: .recentAudit)
        }
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
            let verification = try await verifications.verification(customerID: id, logger: context.logger)
            return try JSONBody.response(
                DetailDTO(
                    customer: CustomerDTO(customer), verification: verification.map(VerificationDTO.init),
                    recentAudit: events.map(AuditEventDTO.init)))
        }
    }
}
