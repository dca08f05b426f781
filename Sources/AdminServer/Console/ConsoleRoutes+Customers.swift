import ConsentDomain
import ConsentStore
import Foundation
import Hummingbird
import Orchestrator

extension ConsoleRoutes {
    static let customerHistoryShown = 50
    static let staleDays = 30

    /// Customers: filterable list and detail (viewer), re-grant (operator).
    func registerCustomers(on console: RouterGroup<AppRequestContext>) {
        console.get("customers") { request, context in
            _ = try context.require(.viewer)
            let filter = try Self.customerFilter(request)
            let customers = try await customerQuery.list(
                CustomerFilter(
                    partnerID: filter.partnerID, state: filter.state?.rawValue, search: filter.search, afterID: filter.afterID,
                    limit: CustomersPage.pageSize + 1, staleDays: filter.stale ? Self.staleDays : nil),
                logger: context.logger)
            let page = CustomersPage(
                chrome: try chrome(context, "Customers", .customers), filter: filter, partners: try await partnerNames(context),
                customers: customers)
            return try pages.render("console/customers", page)
        }
        console.get("customers/{id}") { request, context in
            _ = try context.require(.viewer)
            let customer = try await customer(context)
            let partner = try await services.partners.partner(id: customer.partnerID, logger: context.logger)
            let history = try await auditQuery.search(
                AuditFilter(customerID: customer.id, limit: Self.customerHistoryShown), logger: context.logger)
            var verification: VerificationPanel?
            if let stored = try await services.verifications.verification(customerID: customer.id, logger: context.logger) {
                // Expected is what the reading was compared with, which may be an older version.
                var compared: GrantSet?
                if let version = stored.grantSetVersion { compared = try await services.grantSets.grantSet(version: version, logger: context.logger) }
                verification = VerificationPanel(stored, grantSet: compared)
            }
            let page = CustomerPage(
                chrome: try chrome(context, customer.companyName, .customers, notice: Self.notice(request)), customer: customer,
                partner: partner, history: history, verification: verification)
            return try pages.render("console/customer", page)
        }
        console.post("customers/{id}/regrant") { _, context in
            let staff = try context.require(.operator)
            let customer = try await customer(context)
            do {
                let outcome = try await services.grantor
                    .regrant(customerID: customer.id, actor: staff.actor, logger: context.logger)
                return Response.redirect(to: "/console/customers/\(customer.id)?done=regrant-\(outcome.result.rawValue)", type: .normal)
            } catch let error as ConsentGrantorError {
                switch error {
                case .customerNotFound, .partnerNotFound: throw ConsoleError.notFound("This customer or its partner no longer exists.")
                case .customerRemoved: throw ConsoleError.conflict("This customer was removed from its partner; there is nothing to grant.")
                case .partnerDisabled: throw ConsoleError.conflict("The customer's partner is disabled; no calls are made for it.")
                case .noGrantSet: throw ConsoleError.conflict("No grant set is published yet. Publish one under Grant sets first.")
                case .unexpectedStep, .noReader: throw error
                }
            }
        }
    }

    private func customer(_ context: AppRequestContext) async throws -> CustomerSummary {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0,
            let customer = try await customerQuery.customer(id: id, logger: context.logger)
        else {
            throw ConsoleError.notFound("There is no such customer. Search the customer list by name, domain or tenant id.")
        }
        return customer
    }

    /// The list's filters; a value the console would not have produced is refused, not ignored.
    static func customerFilter(_ request: Request) throws -> CustomerListFilter {
        let query = request.uri.queryParameters
        var filter = CustomerListFilter()
        if let raw = query.get("partner"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw ConsoleError.badRequest("The partner filter is not a partner id.") }
            filter.partnerID = id
        }
        if let raw = query.get("state"), !raw.isEmpty {
            guard let state = ConsentState(rawValue: raw) else { throw ConsoleError.badRequest("There is no consent state \"\(raw)\".") }
            filter.state = state
        }
        filter.stale = query.get("stale") == "1"
        if let raw = query.get("q")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard raw.count <= 256 else { throw ConsoleError.badRequest("The search is longer than 256 characters.") }
            filter.search = raw
        }
        if let raw = query.get("after") {
            guard let after = Int64(raw), after >= 0 else { throw ConsoleError.badRequest("The page position is not valid.") }
            filter.afterID = after
        }
        return filter
    }
}
