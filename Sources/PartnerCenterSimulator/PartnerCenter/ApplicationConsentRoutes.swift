import Foundation
import Hummingbird

/// `POST /v1/customers/{id}/applicationconsents` and `DELETE .../applicationconsents/{appId}` (§6).
struct ApplicationConsentRoutes: Sendable {
    let state: SimulatorState

    func create(_ request: Request, customerId: String) async -> Response {
        var request = request
        let call = PartnerCenterCall(request)
        let now = state.clock.now()
        let claims: AccessTokenClaims
        switch admit(request, customerId: customerId, now: now) {
        case .failure(let refusal): return refusal.response(call)
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
        let now = state.clock.now()
        let claims: AccessTokenClaims
        switch admit(request, customerId: customerId, now: now) {
        case .failure(let refusal): return refusal.response(call)
        case .success(let c): claims = c
        }
        guard applicationId.lowercased() == claims.appid?.lowercased() else { return call.respond(PartnerCenterError.appIdMismatch.stored) }
        let key = call.requestIdWasSent ? "DELETE|\(customerId.lowercased())|\(call.requestId)" : nil
        let stored = await state.deleteConsent(customerId: customerId.lowercased(), applicationId: applicationId.lowercased(), idempotencyKey: key)
        return call.respond(stored)
    }

    /// Why a write was turned away before touching state.
    private enum Refusal: Error {
        case error(PartnerCenterError)
        case throttled(retryAfter: Int)

        func response(_ call: PartnerCenterCall) -> Response {
            switch self {
            case .error(let e): call.respond(e.stored)
            case .throttled(let retryAfter): call.throttled(retryAfter)
            }
        }
    }

    /// The checks every write passes first, in order: caller, customer, then the rate limit (so refused
    /// calls don't spend rate-limit tokens).
    private func admit(_ request: Request, customerId: String, now: Date) -> Result<AccessTokenClaims, Refusal> {
        switch preflight(request, customerId: customerId) {
        case .failure(let error): return .failure(.error(error))
        case .success(let claims):
            if let retryAfter = throttle(claims: claims, now: now) { return .failure(.throttled(retryAfter: retryAfter)) }
            return .success(claims)
        }
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

    /// 50 requests per second per application id, POST and DELETE together (§4.4).
    private func throttle(claims: AccessTokenClaims, now: Date) -> Int? {
        guard state.faults.rateLimitsEnabled else { return nil }
        let perSecond = state.options.rateLimits.applicationConsentsPerSecond
        let key = "consents|\((claims.appid ?? "").lowercased())"
        if case .throttled(let retryAfter) = state.rateLimiter.take(key: key, capacity: perSecond, perSecond: Double(perSecond), now: now) {
            return retryAfter
        }
        return nil
    }
}
