import Foundation
import Hummingbird

/// `POST /v1/customers/{id}/applicationconsents` and `DELETE .../applicationconsents/{appId}` (§6).
/// The rate limit is not here: `FaultMiddleware` counts every consent call on arrival, before any
/// check, and answers the limiter's 429 itself.
struct ApplicationConsentRoutes: Sendable {
    let state: SimulatorState

    func create(_ request: Request, customerId: String) async -> Response {
        var request = request
        let call = PartnerCenterCall(request)
        let now = state.clock.now()
        let claims: AccessTokenClaims
        switch preflight(request, customerId: customerId) {
        case .failure(let error): return call.respond(error.stored)
        case .success(let c): claims = c
        }
        let consent: SimulatedConsent
        do {
            let body = try await request.collectBody(upTo: 1 << 20)
            guard let decoded = try? JSONDecoder().decode(ApplicationConsentBody.self, from: Data(buffer: body)) else { throw PartnerCenterError.badBody }
            consent = try decoded.validated()
            guard consent.applicationId.lowercased() == claims.appid?.lowercased() else { throw PartnerCenterError.appIdMismatch }
            let present = state.index.customers[customerId.lowercased()]?.customer.resourceServicePrincipals ?? WellKnownResource.defaultServicePrincipals
            if let missing = consent.applicationGrants.first(where: { g in !present.contains { $0.lowercased() == g.enterpriseApplicationId.lowercased() } }) {
                throw PartnerCenterError.invalidProperty("The app is trying to access a service '\(missing.enterpriseApplicationId)' that the customer tenant lacks a service principal for.")
            }
        } catch let error as PartnerCenterError {
            return call.respond(error.stored)
        } catch {
            return call.respond(PartnerCenterError.badBody.stored)
        }
        let key = call.requestIdWasSent ? "POST|\(customerId.lowercased())|\(call.requestId)" : nil
        let stored = await state.createConsent(customerId: customerId.lowercased(), consent: consent, idempotencyKey: key, now: now)
        return call.respond(stored)
    }

    func delete(_ request: Request, customerId: String, applicationId: String) async -> Response {
        let call = PartnerCenterCall(request)
        let claims: AccessTokenClaims
        switch preflight(request, customerId: customerId) {
        case .failure(let error): return call.respond(error.stored)
        case .success(let c): claims = c
        }
        guard applicationId.lowercased() == claims.appid?.lowercased() else { return call.respond(PartnerCenterError.appIdMismatch.stored) }
        let key = call.requestIdWasSent ? "DELETE|\(customerId.lowercased())|\(call.requestId)" : nil
        let stored = await state.deleteConsent(customerId: customerId.lowercased(), applicationId: applicationId.lowercased(), idempotencyKey: key)
        return call.respond(stored)
    }

    /// Token (audience, expiry, App+User, MFA) and customer checks shared by POST and DELETE.
    private func preflight(_ request: Request, customerId: String) -> Result<AccessTokenClaims, PartnerCenterError> {
        let claims: AccessTokenClaims
        switch state.partnerCenterCaller(request) {
        case .failure(let error): return .failure(error)
        case .success(let c): claims = c
        }
        // §4.3 documents 400 / 900316 for a partner (app-only) token where App+User is required.
        if claims.isAppOnly { return .failure(.appOnlyToken) }
        let id = customerId.lowercased()
        guard let entry = state.index.customers[id] else { return .failure(.customerNotFound(customerId)) }
        guard entry.partnerTenantId == claims.tid.lowercased() else { return .failure(.noRelationship(partner: claims.tid, customer: customerId)) }
        if state.faults.forbiddenCustomers.contains(id) { return .failure(.forbiddenCustomer(customerId)) }
        return .success(claims)
    }
}
