import ConsentStore
import Foundation
import Hummingbird
import NIOCore

/// Authenticates `/api/v1` requests by bearer token. Every route requires a token; the route
/// itself checks the role (`context.require(.operator)`).
///
/// Failed attempts are counted per client address (`context.clientAddress`: behind a trusted
/// proxy, the address it forwarded). Once an address has used up `FailedAuthentications.limit`
/// failures in a window, its further failures answer 429 with `Retry-After` until the window
/// passes. A valid token is never refused: throttling slows guessing, it must not lock out staff
/// who share an address (a proxy, an office) with whoever is failing.
struct StaffAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: StaffTokenRepository
    let failures: FailedAuthentications

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "send an API token as `Authorization: Bearer cpv_...`")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        let presented = parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        if let presented, let staff = try await tokens.authenticate(presented, logger: context.logger) {
            var context = context
            context.staff = staff
            context.logger[metadataKey: "cpv.staff"] = "\(staff.name)#\(staff.tokenID)"
            return try await next(request, context)
        }
        let address = context.clientAddress
        let wait = await failures.blockedFor(address)
        await failures.record(address)
        if let wait {
            throw APIError(
                .tooManyRequests, code: "too_many_failed_authentications",
                message: "too many failed authentications from this address; retry in \(wait) seconds",
                details: ["retryAfterSeconds": String(wait)], retryAfter: wait)
        }
        if let presented, try await tokens.isExpired(presented, logger: context.logger) {
            throw APIError(.unauthorized, code: "token_expired", message: "the API token has expired; ask an admin for a new one")
        }
        throw APIError(.unauthorized, code: "invalid_token", message: "the API token is unknown or revoked")
    }
}

/// Events per client address in a sliding window, in memory (a restart forgets, which only helps
/// a guesser by one window): failed authentications (`limit` 10 a minute) and requests to the
/// public consent endpoints (`CPV_CONSENT_REQUESTS_PER_MINUTE`).
actor AddressWindow {
    let limit: Int
    let window: TimeInterval
    private var events: [String: [Date]] = [:]

    init(limit: Int, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    func record(_ address: String, now: Date = Date()) {
        var recent = events[address, default: []].filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        events[address] = recent
        if events.count > 10_000 { events = events.filter { $0.value.contains { now.timeIntervalSince($0) < window } } }
    }

    /// Seconds to wait, when `address` has used up its allowance in the window.
    func blockedFor(_ address: String, now: Date = Date()) -> Int? {
        let recent = events[address, default: []].filter { now.timeIntervalSince($0) < window }
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    /// Records an event unless the allowance is used up; returns the wait when it is.
    func admit(_ address: String, now: Date = Date()) -> Int? {
        if let wait = blockedFor(address, now: now) { return wait }
        record(address, now: now)
        return nil
    }
}

/// Failed staff authentications per address, shared by the API and the console sign-in.
typealias FailedAuthentications = AddressWindow

extension AddressWindow {
    /// Ten failures a minute: a person mistyping never reaches it; a guesser is slowed to a crawl.
    static func failedAuthentications() -> AddressWindow { AddressWindow(limit: 10) }
}
