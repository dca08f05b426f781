import ConsentDomain
import Foundation
import Hummingbird
import Orchestrator

/// `POST /api/v1/partners/{id}/sync` (sync the partner's customers now) and
/// `POST /api/v1/customers/{id}/regrant` (DELETE+POST one customer's consent now). Both run
/// synchronously and answer with what happened.
/// Wiring: `CustomerRoutes(sync: services.customerSync, grantor: services.grantor).register(on: api)`.
public struct CustomerRoutes: Sendable {
    let sync: CustomerSync
    let grantor: ConsentGrantor

    public init(sync: CustomerSync, grantor: ConsentGrantor) {
        self.sync = sync
        self.grantor = grantor
    }

    struct SyncDTO: Encodable {
        let partnerId: String
        let added: Int
        let updated: Int
        let removed: Int
        let pages: Int
        let skipped: Int
        let throttled: Int
        let durationMs: Int
        let listingComplete: Bool

        init(_ summary: CustomerSyncSummary) {
            partnerId = summary.partnerID.guidText
            added = summary.added
            updated = summary.updated
            removed = summary.removed
            pages = summary.pages
            skipped = summary.skipped
            throttled = summary.throttled
            durationMs = summary.durationMilliseconds
            listingComplete = summary.listingComplete
        }
    }

    struct RegrantDTO: Encodable {
        struct Call: Encodable {
            let call: String
            let status: Int?
            let errorCode: String?
            let requestId: String
            let correlationId: String
            let durationMs: Int
        }
        struct Verification: Encodable {
            let verified: Bool
            let differences: [String]
            let errorCode: String?
        }
        let customerId: Int64
        let result: String
        let state: String
        let grantSetVersion: Int?
        let errorCode: String?
        let calls: [Call]
        let verification: Verification?

        init(_ outcome: ConsentGrantOutcome) {
            customerId = outcome.customerID
            result = outcome.result.rawValue
            state = outcome.state.rawValue
            grantSetVersion = outcome.grantSetVersion
            errorCode = outcome.errorCode
            calls = outcome.calls.map {
                Call(
                    call: $0.call.rawValue, status: $0.status, errorCode: $0.errorCode, requestId: $0.requestID.guidText,
                    correlationId: $0.correlationID.guidText, durationMs: $0.durationMilliseconds)
            }
            verification = outcome.verification.map {
                Verification(verified: $0.verified, differences: $0.differences, errorCode: $0.errorCode)
            }
        }
    }

    /// Registers under the `/api/v1` group (behind `StaffAuthMiddleware`); both need `operator`.
    public func register(on api: RouterGroup<AppRequestContext>) {
        api.post("/partners/{id}/sync") { _, context in
            let staff = try context.require(.operator)
            guard let raw = context.parameters.get("id"), let partnerID = UUID(uuidString: raw) else {
                throw APIError(.badRequest, code: "invalid_partner_id", message: "the partner id must be a UUID")
            }
            do {
                let summary = try await sync.sync(partnerID: partnerID, actor: staff.actor, logger: context.logger)
                return try JSONBody.response(SyncDTO(summary))
            } catch let error as CustomerSyncError {
                throw Self.apiError(error)
            }
        }
        api.post("/customers/{id}/regrant") { _, context in
            let staff = try context.require(.operator)
            guard let raw = context.parameters.get("id"), let customerID = Int64(raw) else {
                throw APIError(.badRequest, code: "invalid_customer_id", message: "the customer id must be an integer")
            }
            do {
                let outcome = try await grantor.regrant(customerID: customerID, actor: staff.actor, logger: context.logger)
                return try JSONBody.response(RegrantDTO(outcome))
            } catch let error as ConsentGrantorError {
                throw Self.apiError(error)
            }
        }
    }

    static func apiError(_ error: CustomerSyncError) -> APIError {
        switch error {
        case .partnerNotFound(let id): APIError.notFound("no partner \(id.guidText)")
        case .partnerNotActive: APIError(.conflict, code: error.code, message: error.description)
        case .token, .partnerCenter, .unreachable, .malformedResponse:
            APIError(.badGateway, code: error.code, message: error.description)
        }
    }

    static func apiError(_ error: ConsentGrantorError) -> APIError {
        switch error {
        case .customerNotFound(let id): APIError.notFound("no customer \(id)")
        case .partnerNotFound: APIError.notFound("the customer's partner does not exist")
        case .customerRemoved, .partnerDisabled, .noGrantSet: APIError(.conflict, code: error.code, message: error.description)
        case .unexpectedStep, .noReader: APIError.internalError
        }
    }
}
