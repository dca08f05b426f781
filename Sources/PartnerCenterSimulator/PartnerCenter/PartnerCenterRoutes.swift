import Foundation
import Hummingbird

/// Partner Center at `/v1/...`: customers (§5) and applicationconsents (§6).
struct PartnerCenterRoutes: Sendable {
    let state: SimulatorState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/customers") { request, _ in await self.listCustomers(request) }
        router.get("/v1/customers/{customerId}") { request, context in
            await self.getCustomer(request, customerId: context.parameters.get("customerId") ?? "")
        }
        let consents = ApplicationConsentRoutes(state: state)
        router.post("/v1/customers/{customerId}/applicationconsents") { request, context in
            await consents.create(request, customerId: context.parameters.get("customerId") ?? "")
        }
        router.delete("/v1/customers/{customerId}/applicationconsents/{applicationId}") { request, context in
            await consents.delete(request, customerId: context.parameters.get("customerId") ?? "",
                                  applicationId: context.parameters.get("applicationId") ?? "")
        }
    }

    private func listCustomers(_ request: Request) async -> Response {
        let call = PartnerCenterCall(request)
        let now = state.clock.now()
        let partnerId: String
        do { partnerId = try state.partnerCenterCaller(request).get().tid.lowercased() } catch { return call.respond(error.stored) }
        guard let ids = state.index.customerIdsByPartner[partnerId] else {
            return call.respond(PartnerCenterError(status: .forbidden, code: 400, description: "Access denied. Tenant \(partnerId) is not a partner.").stored)
        }
        if let throttled = throttleCustomers(partnerId: partnerId, now: now) { return call.throttled(throttled) }

        let paging = state.options.paging
        let requested = request.query("size").flatMap(Int.init) ?? paging.defaultPageSize
        let size = min(max(1, requested), paging.maxPageSize)
        var offset = 0
        if let seek = request.query("seekOperation") {
            guard seek.lowercased() == "next",
                  let token = request.headers[.msContinuationToken],
                  let position = CustomerPaging(signer: state.signer).position(
                      from: token, partnerTenantId: partnerId, now: now, lifetime: paging.continuationTokenLifetimeSeconds)
            else { return call.respond(PartnerCenterError.badContinuation.stored) }
            offset = position.offset
        }
        let end = min(ids.count, offset + size)
        let slice = offset < end ? ids[offset..<end] : []
        let items = slice.map { state.index.customers[$0]?.listJSON ?? [] }
        let nextToken = end < ids.count
            ? CustomerPaging(signer: state.signer).token(for: .init(partnerTenantId: partnerId, offset: end, size: size, issuedAt: Int(now.timeIntervalSince1970)))
            : nil
        let total = paging.totalCount == .page ? items.count : ids.count
        let body = CustomerPageWriter.page(items: items[...], size: size, totalCount: total, nextToken: nextToken)
        return call.respond(StoredResponse(status: 200, body: body))
    }

    private func getCustomer(_ request: Request, customerId: String) async -> Response {
        let call = PartnerCenterCall(request)
        let now = state.clock.now()
        let partnerId: String
        do { partnerId = try state.partnerCenterCaller(request).get().tid.lowercased() } catch { return call.respond(error.stored) }
        if let throttled = throttleCustomers(partnerId: partnerId, now: now) { return call.throttled(throttled) }
        let id = customerId.lowercased()
        guard let entry = state.index.customers[id] else { return call.respond(PartnerCenterError.customerNotFound(customerId).stored) }
        guard entry.partnerTenantId == partnerId else { return call.respond(PartnerCenterError.noRelationship(partner: partnerId, customer: customerId).stored) }
        if state.faults.forbiddenCustomers.contains(id) { return call.respond(PartnerCenterError.forbiddenCustomer(customerId).stored) }
        let body = (try? HTTPResponses.jsonEncoder.encode(PartnerCenterCustomerJSON(entry.customer, detailed: true))) ?? Data()
        return call.respond(StoredResponse(status: 200, body: Array(body)))
    }

    /// 500 requests per minute per partner tenant on the Customer resource (§4.4), under the model
    /// in force. Counted after authentication: the key is the partner tenant the token names.
    private func throttleCustomers(partnerId: String, now: Date) -> Int? {
        guard state.faults.rateLimitsEnabled else { return nil }
        let decision = state.rateLimiter.admitCustomerRead(partnerKey: partnerId, at: now.timeIntervalSince1970)
        if case .refused(let retryAfter) = decision { return retryAfter }
        return nil
    }
}

extension SimulatorState {
    /// A Partner Center caller: a token for Partner Center's audience, unexpired, from this simulator;
    /// App+User tokens must carry `mfa` while enforcement is on. App-only callers pass (listing allows them).
    nonisolated func partnerCenterCaller(_ request: Request) -> Result<AccessTokenClaims, PartnerCenterError> {
        switch verifyBearer(request, audience: .partnerCenter) {
        case .failure(let failure):
            return .failure(.unauthorized(failure))
        case .success(let claims):
            if !claims.isAppOnly && options.enforceMFAOnPartnerCenter && !claims.didMFA { return .failure(.mfaMissing) }
            return .success(claims)
        }
    }
}

/// The per-request Partner Center envelope: echoed `MS-RequestId` / `MS-CorrelationId` and a fresh `MS-CV`.
struct PartnerCenterCall: Sendable {
    let requestId: String
    let correlationId: String
    let requestIdWasSent: Bool

    init(_ request: Request) {
        let sent = request.headers[.msRequestId]
        requestIdWasSent = sent != nil
        requestId = sent ?? GUIDFormat.random()
        correlationId = request.headers[.msCorrelationId] ?? GUIDFormat.random()
    }

    func respond(_ stored: StoredResponse, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.msRequestId] = requestId
        headers[.msCorrelationId] = correlationId
        headers[.msCV] = "sim" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + ".0"
        let status = HTTPResponse.Status(code: stored.status)
        if stored.body.isEmpty { return HTTPResponses.empty(status, headers: headers) }
        return HTTPResponses.bytes(stored.body, status: status, headers: headers)
    }

    func throttled(_ retryAfter: Int) -> Response {
        var headers = HTTPFields()
        headers[.retryAfter] = "\(retryAfter)"
        let body = (try? HTTPResponses.jsonEncoder.encode(ThrottleBody(retryAfter: retryAfter))) ?? Data()
        return respond(StoredResponse(status: 429, body: Array(body)), extra: headers)
    }
}
