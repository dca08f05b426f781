import Foundation
import Hummingbird

/// `POST /_sim/consents/seed`: every customer (or one partner's) holds a consent, as after an earlier
/// grant, so a reconcile benchmark starts from tenants that are mostly right (documented in
/// docs/simulator.md). The body is an applicationconsents POST body, plus `partnerTenantId` to
/// limit it to one partner's customers.
struct ConsentSeedRoutes: Sendable {
    let state: SimulatorState

    private struct Seed: Decodable {
        var applicationId: String
        var displayName: String?
        var applicationGrants: [SimulatedGrant]
        var partnerTenantId: String?
    }

    private struct Answer: Encodable {
        var applicationId: String
        var customers: Int
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/_sim/consents/seed") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 1 << 20) else {
                return ControlRoutes.refusal("invalid_seed", "the body is too large")
            }
            let seed: Seed
            do {
                seed = try JSONDecoder().decode(Seed.self, from: Data(buffer: body))
            } catch {
                return ControlRoutes.refusal("invalid_seed", "body must be {applicationId, applicationGrants, partnerTenantId?}: \(ControlRoutes.reason(error))")
            }
            guard !seed.applicationGrants.isEmpty else { return ControlRoutes.refusal("invalid_seed", "applicationGrants must not be empty") }
            let consent = SimulatedConsent(applicationId: seed.applicationId, displayName: seed.displayName, applicationGrants: seed.applicationGrants)
            let count = await self.state.seedConsents(consent, partnerTenantId: seed.partnerTenantId?.lowercased(), now: Date())
            return HTTPResponses.json(Answer(applicationId: seed.applicationId.lowercased(), customers: count))
        }
    }
}
