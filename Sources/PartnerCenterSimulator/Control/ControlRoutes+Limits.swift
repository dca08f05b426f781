import Foundation
import Hummingbird

/// `/_sim/rate-limits`, `/_sim/graph-limits` and `/_sim/stats` (documented in docs/simulator.md).
extension ControlRoutes {
    /// `{"error": {"code", "message"}}`, the shape of the control API's refusals.
    static func refusal(_ code: String, _ message: String) -> Response {
        struct Body: Encodable { struct Inner: Encodable { var code: String; var message: String }; var error: Inner }
        return HTTPResponses.json(Body(error: .init(code: code, message: message)), status: .badRequest)
    }

    /// Why a control body did not decode, in words a person can act on.
    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "not valid JSON"
        }
    }

    /// A partial `RateLimitOptions`: the fields present replace the ones in force.
    private struct RateLimitChange: Decodable {
        var enabled: Bool?
        var model: RateLimitModel?
        var applicationConsentsPerSecond: Int?
        var customerRequestsPerMinute: Int?
        var countRejected: Bool?

        func applied(to current: RateLimitOptions) -> RateLimitOptions {
            var next = current
            next.enabled = enabled ?? next.enabled
            next.model = model ?? next.model
            next.applicationConsentsPerSecond = applicationConsentsPerSecond ?? next.applicationConsentsPerSecond
            next.customerRequestsPerMinute = customerRequestsPerMinute ?? next.customerRequestsPerMinute
            next.countRejected = countRejected ?? next.countRejected
            return next
        }
    }

    /// A partial `GraphLimitOptions`: the fields present replace the ones in force.
    private struct GraphLimitChange: Decodable {
        var enabled: Bool?
        var model: RateLimitModel?
        var applicationRequestsPerTenSeconds: Int?
        var tenantRequestsPerTenSeconds: Int?
        var countRejected: Bool?

        func applied(to current: GraphLimitOptions) -> GraphLimitOptions {
            var next = current
            next.enabled = enabled ?? next.enabled
            next.model = model ?? next.model
            next.applicationRequestsPerTenSeconds = applicationRequestsPerTenSeconds ?? next.applicationRequestsPerTenSeconds
            next.tenantRequestsPerTenSeconds = tenantRequestsPerTenSeconds ?? next.tenantRequestsPerTenSeconds
            next.countRejected = countRejected ?? next.countRejected
            return next
        }
    }

    func registerLimits(on router: Router<BasicRequestContext>) {
        router.get("/_sim/rate-limits") { _, _ in HTTPResponses.json(self.state.rateLimits) }
        router.put("/_sim/rate-limits") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 64 << 10) else {
                return Self.refusal("invalid_rate_limits", "the body is too large")
            }
            let change: RateLimitChange
            do {
                change = try JSONDecoder().decode(RateLimitChange.self, from: Data(buffer: body))
            } catch {
                return Self.refusal("invalid_rate_limits", "body must be a RateLimitOptions JSON object: \(Self.reason(error))")
            }
            let next = change.applied(to: self.state.rateLimits)
            guard next.applicationConsentsPerSecond >= 0, next.customerRequestsPerMinute >= 0 else {
                return Self.refusal("invalid_rate_limits", "limits must be ≥ 0 (0: no limit)")
            }
            self.state.setRateLimits(next)
            return HTTPResponses.json(self.state.rateLimits)
        }
        router.get("/_sim/graph-limits") { _, _ in HTTPResponses.json(self.state.graphLimits) }
        router.put("/_sim/graph-limits") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 64 << 10) else {
                return Self.refusal("invalid_graph_limits", "the body is too large")
            }
            let change: GraphLimitChange
            do {
                change = try JSONDecoder().decode(GraphLimitChange.self, from: Data(buffer: body))
            } catch {
                return Self.refusal("invalid_graph_limits", "body must be a GraphLimitOptions JSON object: \(Self.reason(error))")
            }
            let next = change.applied(to: self.state.graphLimits)
            guard next.applicationRequestsPerTenSeconds >= 0, next.tenantRequestsPerTenSeconds >= 0 else {
                return Self.refusal("invalid_graph_limits", "limits must be ≥ 0 (0: no limit)")
            }
            self.state.setGraphLimits(next)
            return HTTPResponses.json(self.state.graphLimits)
        }
        router.get("/_sim/stats") { _, _ in HTTPResponses.json(self.state.stats()) }
        router.delete("/_sim/stats") { _, _ in
            self.state.resetStats()
            return HTTPResponses.empty(.noContent)
        }
    }
}
