import Foundation
import Hummingbird

/// Applies latency, forced 429s, 5xx answers and hangs before a request reaches its route, and
/// records every call (start and end time included) in the call log. Control calls are exempt.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let state: SimulatorState

    enum Injected: Equatable {
        case throttle(retryAfter: Int)
        case failure(status: Int)
        case hang
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let group = EndpointGroup.of(path: path)
        if group == .control { return try await next(request, context) }
        let started = Date().timeIntervalSince1970
        let response: Response
        let (latency, injected) = state.updateFaults { faults -> (LatencyFault?, Injected?) in
            (faults.latency[group], Self.decide(&faults, group: group))
        }
        do {
            response = try await faulted(request, context: context, group: group, latency: latency, injected: injected, next: next)
        } catch {
            record(
                request, group: group, path: path, status: (error as? any HTTPResponseError)?.status.code ?? 500, started: started,
                injected: injected)
            throw error
        }
        record(request, group: group, path: path, status: response.status.code, started: started, injected: injected)
        return response
    }

    private func faulted(
        _ request: Request, context: Context, group: EndpointGroup, latency: LatencyFault?, injected: Injected?,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let latency {
            let jitter = latency.jitterMilliseconds > 0 ? Int.random(in: 0...latency.jitterMilliseconds) : 0
            try? await Task.sleep(for: .milliseconds(latency.fixedMilliseconds + jitter))
        }
        switch injected {
        case .none:
            return try await next(request, context)
        case .throttle(let retryAfter):
            var headers = HTTPFields()
            headers[.retryAfter] = "\(retryAfter)"
            if group == .partnerCenter { return PartnerCenterCall(request).throttled(retryAfter) }
            return HTTPResponses.json(ThrottleBody(retryAfter: retryAfter), status: .tooManyRequests, headers: headers)
        case .failure(let status):
            return failureResponse(request, group: group, status: status)
        case .hang:
            await state.hangGate.hang(seconds: state.options.hangSeconds)
            return HTTPResponses.empty(.gatewayTimeout)
        }
    }

    /// Consumes "next N" counters and rolls the dice for fractions, under the faults lock.
    static func decide(_ faults: inout SimulatorFaults, group: EndpointGroup) -> Injected? {
        if var hang = faults.hangs[group] {
            if let n = hang.next, n > 0 {
                hang.next = n - 1
                faults.hangs[group] = hang
                return .hang
            }
            if let f = hang.fraction, Double.random(in: 0..<1) < f { return .hang }
        }
        if var throttle = faults.throttles[group] {
            if let n = throttle.next, n > 0 {
                throttle.next = n - 1
                faults.throttles[group] = throttle
                return .throttle(retryAfter: max(1, throttle.retryAfterSeconds))
            }
            if let f = throttle.fraction, Double.random(in: 0..<1) < f { return .throttle(retryAfter: max(1, throttle.retryAfterSeconds)) }
        }
        if let failure = faults.failures[group], Double.random(in: 0..<1) < failure.fraction {
            return .failure(status: failure.status)
        }
        return nil
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

    private func record(_ request: Request, group: EndpointGroup, path: String, status: Int, started: Double, injected: Injected?) {
        let ended = Date().timeIntervalSince1970
        let customerId = Self.customerId(in: path)
        let fault: String? = switch injected {
        case .none: nil
        case .throttle: "throttle"
        case .failure: "failure"
        case .hang: "hang"
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
