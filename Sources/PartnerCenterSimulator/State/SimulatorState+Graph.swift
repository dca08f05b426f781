import Foundation
import Hummingbird

/// Who a Graph request is counted for: the application and tenant its token names.
struct GraphCaller: Sendable, Equatable {
    /// The key of requests whose token does not name an application or a tenant.
    static let unidentified = "unidentified"

    var application: String
    var tenant: String
}

/// Graph limits at run time, and the admission and statistics of Graph requests.
extension SimulatorState {
    /// The Graph limit settings in force.
    public nonisolated var graphLimits: GraphLimitOptions { graphLimiter.settings }

    /// New Graph limit settings (`PUT /_sim/graph-limits`); a new model forgets every key's memory.
    public nonisolated func setGraphLimits(_ settings: GraphLimitOptions) {
        graphLimiter.update(settings)
    }

    /// The `appid` and `tid` of the request's token when its signature is ours (expiry and audience
    /// are not checked: the limiter identifies the caller, it does not authorise it, as for consent
    /// calls). Requests whose token names neither share the key `unidentified`.
    nonisolated func graphCaller(_ request: Request) -> GraphCaller {
        let claims = signedClaims(request)
        return GraphCaller(
            application: claims?.appid?.lowercased() ?? GraphCaller.unidentified, tenant: claims?.tid.lowercased() ?? GraphCaller.unidentified)
    }

    /// Counts a Graph request in both budgets the moment it arrives, before latency and faults, so
    /// that every request counts whatever its fate.
    nonisolated func admitGraphCall(_ caller: GraphCaller, at now: Date) -> GraphLimitDecision {
        graphLimiter.admit(application: caller.application, tenant: caller.tenant, at: now.timeIntervalSince1970)
    }

    nonisolated func recordGraphAnswer(route: String, status: Int, cause: GraphAnswerCause, caller: GraphCaller) {
        graphStats.withLock { $0.answered(route: route, status: status, cause: cause, tenant: caller.tenant) }
    }
}
