import ConsentStore
import Foundation
import Hummingbird
import NIOCore

/// Authenticates `/api/v1` requests by bearer token. Every route requires a token; the route
/// itself checks the role (`context.require(.operator)`).
///
/// Repeated failures from one address are slowed down: after `FailedAuthentications.limit` misses
/// in a window the address gets 429 with `Retry-After` until the window passes, so guessing
/// tokens costs time even though each guess is cheap for us to reject.
struct StaffAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: StaffTokenRepository
    let failures: FailedAuthentications

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = await failures.blockedFor(address) {
            throw APIError(
                .tooManyRequests, code: "too_many_failed_authentications",
                message: "too many failed authentications from this address; retry in \(wait) seconds",
                details: ["retryAfterSeconds": String(wait)])
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "send an API token as `Authorization: Bearer cpv_...`")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let staff = try await tokens.authenticate(String(parts[1]), logger: context.logger)
        else {
            await failures.record(address)
            throw APIError(.unauthorized, code: "invalid_token", message: "the API token is unknown or revoked")
        }
        var context = context
        context.staff = staff
        context.logger[metadataKey: "cpv.staff"] = "\(staff.name)"
        return try await next(request, context)
    }
}

/// Failed authentications per address in a sliding window (in memory: a restart forgets, which
/// only helps a guesser by one window).
actor FailedAuthentications {
    static let limit = 10
    let window: TimeInterval
    private var attempts: [String: [Date]] = [:]

    init(window: TimeInterval = 60) {
        self.window = window
    }

    func record(_ address: String, now: Date = Date()) {
        var recent = attempts[address, default: []].filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        attempts[address] = recent
        if attempts.count > 10_000 { attempts = attempts.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
    }

    /// Seconds to wait, when `address` has used up its failures in the window.
    func blockedFor(_ address: String, now: Date = Date()) -> Int? {
        let recent = attempts[address, default: []].filter { now.timeIntervalSince($0) < window }
        guard recent.count >= Self.limit, let oldest = recent.first else { return nil }
        return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
    }
}
