import Foundation
import Hummingbird

/// The inspection and control API at `/_sim/...` (documented in docs/simulator.md).
struct ControlRoutes: Sendable {
    let state: SimulatorState

    private struct ClockAdvance: Decodable { var seconds: Double }
    private struct RateLimitSwitch: Decodable { var rateLimitsEnabled: Bool? }
    private struct CustomerConsents: Encodable { var customerId: String; var consents: [SimulatedConsent] }
    private struct RefreshTokenRequest: Decodable { var clientId: String; var userPrincipalName: String }
    private struct RefreshTokenAnswer: Encodable { var refreshToken: String }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/_sim/health") { _, _ in HTTPResponses.text("ok", status: .ok) }
        router.get("/_sim/world") { _, _ in HTTPResponses.json(self.state.world) }
        router.get("/_sim/faults") { _, _ in HTTPResponses.json(self.state.faults) }
        router.put("/_sim/faults") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 1 << 20) else { return Self.refusal("invalid_faults", "the body is too large") }
            var faults: SimulatorFaults
            let switches: RateLimitSwitch
            do {
                faults = try JSONDecoder().decode(SimulatorFaults.self, from: Data(buffer: body))
                switches = try JSONDecoder().decode(RateLimitSwitch.self, from: Data(buffer: body))
            } catch {
                return Self.refusal("invalid_faults", "body must be a SimulatorFaults JSON object: \(Self.reason(error))")
            }
            // Leaving `rateLimitsEnabled` out keeps what the simulator was started with (e.g. --no-rate-limits).
            faults.rateLimitsEnabled = switches.rateLimitsEnabled ?? self.state.initialFaults.rateLimitsEnabled
            self.state.setFaults(faults)
            return HTTPResponses.json(self.state.faults)
        }
        router.delete("/_sim/faults") { _, _ in
            self.state.setFaults(self.state.initialFaults)
            return HTTPResponses.json(self.state.faults)
        }
        router.get("/_sim/calls") { request, _ in
            let since = request.query("since").flatMap(Int.init) ?? 0
            return HTTPResponses.json(self.state.calls().filter { $0.sequence > since })
        }
        router.delete("/_sim/calls") { _, _ in
            self.state.clearCalls()
            return HTTPResponses.empty(.noContent)
        }
        router.get("/_sim/consents") { _, _ in
            let all = await self.state.allConsents()
            return HTTPResponses.json(all.keys.sorted().map { CustomerConsents(customerId: $0, consents: all[$0] ?? []) })
        }
        router.get("/_sim/customers/{customerId}/consents") { _, context in
            let id = context.parameters.get("customerId") ?? ""
            guard self.state.index.customers[id.lowercased()] != nil else { return HTTPResponses.text("unknown customer", status: .notFound) }
            return HTTPResponses.json(CustomerConsents(customerId: id.lowercased(), consents: await self.state.consents(customerId: id)))
        }
        router.post("/_sim/clock/advance") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 4096),
                  let advance = try? JSONDecoder().decode(ClockAdvance.self, from: Data(buffer: body))
            else { return HTTPResponses.text("body must be {\"seconds\": N}", status: .badRequest) }
            self.state.advanceClock(by: advance.seconds)
            return HTTPResponses.empty(.noContent)
        }
        router.post("/_sim/refresh-tokens") { request, _ in
            var request = request
            guard let body = try? await request.collectBody(upTo: 4096),
                  let ask = try? JSONDecoder().decode(RefreshTokenRequest.self, from: Data(buffer: body)),
                  self.state.index.applications[ask.clientId.lowercased()] != nil,
                  let token = await self.state.issueRefreshToken(clientId: ask.clientId, userPrincipalName: ask.userPrincipalName)
            else { return HTTPResponses.text("body must be {\"clientId\", \"userPrincipalName\"} of a known app and user", status: .badRequest) }
            return HTTPResponses.json(RefreshTokenAnswer(refreshToken: token))
        }
        registerLimits(on: router)
        router.post("/_sim/reset") { _, _ in
            await self.state.reset()
            return HTTPResponses.empty(.noContent)
        }
    }
}
