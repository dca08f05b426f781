import Foundation
import Hummingbird

/// In front of every Microsoft route, in this order: counts consent calls in the rate limiter and
/// Graph requests in the Graph limiter (on arrival, so every call counts whatever its fate), decides
/// the injected faults, applies latency, then answers the limiter's 429, the fault, or the route's
/// answer; and records the call in the call log and the statistics. Control calls are exempt.
///
/// Latency comes after the limiter: it models the time Partner Center takes to answer, and letting it
/// reorder arrivals at the limiter would make the limit depend on the latency setting.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let state: SimulatorState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let group = EndpointGroup.of(path: path)
        if group == .control { return try await next(request, context) }
        let started = Date().timeIntervalSince1970
        let now = state.clock.now()
        let dice = state.random.dice()
        let isConsentCall = group == .partnerCenter && ConsentCall.matches(method: request.method, path: path)
        let graphCaller = group == .graph ? state.graphCaller(request) : nil
        let graphDecision = graphCaller.map { state.admitGraphCall($0, at: now) } ?? .admitted
        var limiterRetryAfter = isConsentCall ? state.admitConsentCall(request, at: now) : nil
        if case .refused(let seconds, _) = graphDecision { limiterRetryAfter = seconds }
        // Decided for every call, refused or not, so a fraction is a share of all calls at any load.
        let (latency, injected) = state.faultStore.withLock { faults -> (LatencyFault?, InjectedFault?) in
            (faults.latency[group], InjectedFault.decide(&faults, group: group, now: now.timeIntervalSince1970, dice: dice))
        }
        // The limiter stands in front of everything else: a call it refuses goes no further.
        let cause: AnswerCause = if limiterRetryAfter != nil { .limiter } else if let injected { .injected(injected) } else { .route }
        let graph = graphCaller.map { GraphAccounting(caller: $0, decision: graphDecision, route: GraphRouteTemplate.of(method: request.method.rawValue, path: path)) }
        let response: Response
        do {
            if let latency { try? await Task.sleep(for: .milliseconds(latency.milliseconds(dice.latency.0, dice.latency.1, dice.latency.2))) }
            response = try await answer(request, context: context, group: group, limiterRetryAfter: limiterRetryAfter, cause: cause, next: next)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, group: group, path: path, status: status, started: started, cause: cause, consentCall: isConsentCall, graph: graph)
            throw error
        }
        record(request, group: group, path: path, status: response.status.code, started: started, cause: cause, consentCall: isConsentCall, graph: graph)
        return response
    }

    private func answer(
        _ request: Request, context: Context, group: EndpointGroup, limiterRetryAfter: Int?, cause: AnswerCause,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let limiterRetryAfter {
            return group == .graph ? GraphResponses.throttled(retryAfter: limiterRetryAfter) : PartnerCenterCall(request).throttled(limiterRetryAfter)
        }
        guard case .injected(let injected) = cause else { return try await next(request, context) }
        switch injected {
        case .throttle(let retryAfter), .storm(let retryAfter):
            if group == .partnerCenter { return PartnerCenterCall(request).throttled(retryAfter) }
            if group == .graph { return GraphResponses.throttled(retryAfter: retryAfter) }
            var headers = HTTPFields()
            headers[.retryAfter] = "\(retryAfter)"
            return HTTPResponses.json(ThrottleBody(retryAfter: retryAfter), status: .tooManyRequests, headers: headers)
        case .failure(let status):
            return failureResponse(request, group: group, status: status)
        case .hang:
            await state.hangGate.hang(seconds: state.options.hangSeconds)
            return HTTPResponses.empty(.gatewayTimeout)
        }
    }

    private func failureResponse(_ request: Request, group: EndpointGroup, status: Int) -> Response {
        let now = state.clock.now()
        switch group {
        case .entra:
            var error = status == 503 ? AADSTSError.temporarilyUnavailable : AADSTSError(90006, "server_error", "An internal server error occurred. Please try again.", status: .internalServerError)
            error.status = .init(code: status)
            return error.response(now: now, correlationId: nil)
        case .partnerCenter:
            let e = PartnerCenterError(status: .init(code: status), code: status, description: "The service is temporarily unavailable. Please retry.")
            return PartnerCenterCall(request).respond(e.stored)
        default:
            struct Body: Encodable { struct Inner: Encodable { var code: String; var message: String }; var error: Inner }
            return HTTPResponses.json(Body(error: .init(code: "ServiceUnavailable", message: "The service is temporarily unavailable.")), status: .init(code: status))
        }
    }

    private func record(
        _ request: Request, group: EndpointGroup, path: String, status: Int, started: Double, cause: AnswerCause, consentCall: Bool,
        graph: GraphAccounting?
    ) {
        let ended = Date().timeIntervalSince1970
        let customerId = Self.customerId(in: path)
        let fault: String? = if case .injected(let injected) = cause { injected.label } else { nil }
        if consentCall { state.recordConsentAnswer(status: status, cause: cause) }
        if let graph {
            let graphCause: GraphAnswerCause = switch (graph.decision, cause) {
            case (.refused(_, let scope), _): .limiter(scope)
            case (.admitted, .injected(let injected)): .injected(injected)
            case (.admitted, _): .route
            }
            state.recordGraphAnswer(route: graph.route, status: status, cause: graphCause, caller: graph.caller)
        }
        state.callLog.append { sequence in
            CallRecord(sequence: sequence, group: group, method: request.method.rawValue, path: path, status: status, customerId: customerId,
                       msRequestId: request.headers[.msRequestId], msCorrelationId: request.headers[.msCorrelationId],
                       startedAt: started, endedAt: ended, injected: fault)
        }
    }

    /// `/v1/customers/{id}/...` → id.
    static func customerId(in path: String) -> String? {
        guard path.hasPrefix("/v1/customers/") else { return nil }
        let rest = path.dropFirst("/v1/customers/".count)
        let id = rest.prefix { $0 != "/" }
        return id.isEmpty ? nil : id.lowercased()
    }
}

/// What the statistics need to know about a Graph request once it is answered.
struct GraphAccounting: Sendable {
    var caller: GraphCaller
    var decision: GraphLimitDecision
    var route: String
}
