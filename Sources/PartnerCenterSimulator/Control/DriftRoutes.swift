import Foundation
import Hummingbird

/// `/_sim/customers/{customerId}/drift` and `/_sim/drift`: what Graph shows in customer tenants,
/// changed behind Partner Center's back (documented in docs/simulator.md).
struct DriftRoutes: Sendable {
    let state: SimulatorState

    /// The bulk form's selection, read from the same body as the drift.
    private struct Selection: Decodable {
        var fraction: Double
        var seed: UInt64?
    }

    /// One customer's answer: the drift and what Graph now shows for the application there.
    private struct CustomerAnswer: Encodable {
        var customerId: String
        var drift: ConsentDrift
        /// Nil once the service principal is deleted.
        var servicePrincipalId: String?
        var grants: [PermissionGrantRecord]
    }

    private struct BulkAnswer: Encodable {
        var drift: ConsentDrift
        var fraction: Double
        var seed: UInt64?
        /// Customers the drift applied to before any was chosen.
        var candidates: Int
        var count: Int
        var customerIds: [String]
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/_sim/customers/{customerId}/drift") { request, context in
            let customerId = (context.parameters.get("customerId") ?? "").lowercased()
            let drift: ConsentDrift
            switch await Self.decode(ConsentDrift.self, from: request) {
            case .refusal(let response): return response
            case .value(let decoded): drift = decoded
            }
            do throws(ConsentDriftError) {
                let record = try await self.state.applyDrift(drift, customerId: customerId)
                return HTTPResponses.json(CustomerAnswer(
                    customerId: customerId, drift: drift, servicePrincipalId: record?.servicePrincipalId, grants: record?.grants ?? []))
            } catch {
                let status: HTTPResponse.Status = if case .unknownCustomer = error { .notFound } else { .conflict }
                return Self.refusal(error.code, error.description, status: status)
            }
        }
        router.post("/_sim/drift") { request, _ in
            let drift: ConsentDrift, selection: Selection
            switch await Self.decode(BulkRequest.self, from: request) {
            case .refusal(let response): return response
            case .value(let decoded):
                drift = decoded.drift
                selection = decoded.selection
            }
            guard (0...1).contains(selection.fraction) else { return Self.refusal("invalid_drift", "fraction must be between 0 and 1") }
            let (ids, candidates) = await self.state.applyDrift(drift, fraction: selection.fraction, seed: selection.seed)
            return HTTPResponses.json(BulkAnswer(
                drift: drift, fraction: selection.fraction, seed: selection.seed, candidates: candidates, count: ids.count, customerIds: ids))
        }
    }

    /// The bulk body: a drift's fields and the selection's, in one object.
    private struct BulkRequest: Decodable {
        var drift: ConsentDrift
        var selection: Selection

        init(from decoder: any Decoder) throws {
            drift = try ConsentDrift(from: decoder)
            selection = try Selection(from: decoder)
        }
    }

    private enum Decoded<T> {
        case value(T)
        case refusal(Response)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from request: Request) async -> Decoded<T> {
        var request = request
        guard let body = try? await request.collectBody(upTo: 64 << 10) else {
            return .refusal(refusal("invalid_drift", "the body is too large"))
        }
        do {
            return .value(try JSONDecoder().decode(T.self, from: Data(buffer: body)))
        } catch {
            return .refusal(refusal("invalid_drift", "body must be a drift JSON object: \(ControlRoutes.reason(error))"))
        }
    }

    /// `{"error": {"code", "message"}}`, the control API's refusal shape, with a chosen status.
    private static func refusal(_ code: String, _ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        struct Body: Encodable { struct Inner: Encodable { var code: String; var message: String }; var error: Inner }
        return HTTPResponses.json(Body(error: .init(code: code, message: message)), status: status)
    }
}
