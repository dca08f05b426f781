import AsyncHTTPClient
import ConsentDomain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Calls Partner Center's REST API with a partner's App+User token (partner-center-api.md §4–6).
///
/// Every call has a deadline and carries `MS-RequestId` (the idempotency key: the caller reuses it
/// when retrying the same call) and `MS-CorrelationId`. Failures come back as
/// `PartnerCenterCallError`, classified by the domain's `PartnerCenterFailure`.
public struct PartnerCenterClient: Sendable {
    let http: HTTPClient
    let timeout: Duration

    public init(http: HTTPClient, timeout: Duration = .seconds(30)) {
        self.http = http
        self.timeout = timeout
    }

    /// What one call did, for the audit trail.
    public struct CallResult: Sendable {
        public let status: Int
        public let body: String
        public let duration: Duration
    }

    /// A call's headers that must be kept for the audit trail and for retries.
    public struct CallIDs: Sendable, Equatable {
        public let requestID: UUID
        public let correlationID: UUID

        public init(requestID: UUID = UUID(), correlationID: UUID) {
            self.requestID = requestID
            self.correlationID = correlationID
        }
    }

    /// `GET /v1/customers?size=N`, or the continuation of a previous page.
    public func customers(
        profile: CloudProfile, accessToken: Secret<String>, pageSize: Int, continuation: PartnerCenterCustomerPage.Continuation?,
        logger: Logger
    ) async throws(PartnerCenterCallError) -> PartnerCenterCustomerPage {
        let path = continuation?.path ?? "/v1/customers?size=\(pageSize)"
        let ids = CallIDs(correlationID: UUID())
        let (status, body, _, retryAfter) = try await send(
            .GET, url: profile.partnerCenter + path, accessToken: accessToken, ids: ids,
            extraHeaders: continuation?.headers ?? [], body: nil, logger: logger)
        guard (200..<300).contains(status) else {
            throw .failed(PartnerCenterFailure(status: status, body: body, retryAfterHeader: retryAfter))
        }
        guard let page = PartnerCenterCustomerPage.decode(body, pageSize: pageSize) else {
            throw .malformedResponse(status: status)
        }
        return page
    }

    /// `DELETE /v1/customers/{customer}/applicationconsents/{appId}`. Any answer is returned; the
    /// caller decides (204/200 removed, 404 nothing to remove).
    public func deleteConsent(
        profile: CloudProfile, accessToken: Secret<String>, customerTenantID: String, applicationID: String, ids: CallIDs,
        logger: Logger
    ) async throws(PartnerCenterCallError) -> (CallResult, PartnerCenterFailure?) {
        let started = ContinuousClock.now
        let (status, body, _, retryAfter) = try await send(
            .DELETE, url: "\(profile.partnerCenter)/v1/customers/\(customerTenantID)/applicationconsents/\(applicationID)",
            accessToken: accessToken, ids: ids, extraHeaders: [], body: nil, logger: logger)
        return Self.result(status: status, body: body, retryAfter: retryAfter, started: started)
    }

    /// `POST /v1/customers/{customer}/applicationconsents` with the grant payload (JSON text).
    public func createConsent(
        profile: CloudProfile, accessToken: Secret<String>, customerTenantID: String, payload: String, ids: CallIDs,
        logger: Logger
    ) async throws(PartnerCenterCallError) -> (CallResult, PartnerCenterFailure?) {
        let started = ContinuousClock.now
        let (status, body, _, retryAfter) = try await send(
            .POST, url: "\(profile.partnerCenter)/v1/customers/\(customerTenantID)/applicationconsents",
            accessToken: accessToken, ids: ids, extraHeaders: [], body: payload, logger: logger)
        return Self.result(status: status, body: body, retryAfter: retryAfter, started: started)
    }

    static func result(status: Int, body: Data, retryAfter: String?, started: ContinuousClock.Instant) -> (CallResult, PartnerCenterFailure?) {
        let result = CallResult(status: status, body: String(decoding: body.prefix(4_000), as: UTF8.self), duration: ContinuousClock.now - started)
        let failure = (200..<300).contains(status) ? nil : PartnerCenterFailure(status: status, body: body, retryAfterHeader: retryAfter)
        return (result, failure)
    }

    private func send(
        _ method: HTTPMethod, url: String, accessToken: Secret<String>, ids: CallIDs, extraHeaders: [(String, String)],
        body: String?, logger: Logger
    ) async throws(PartnerCenterCallError) -> (Int, Data, HTTPHeaders, String?) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken.revealed)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "MS-RequestId", value: ids.requestID.uuidString.lowercased())
        request.headers.add(name: "MS-CorrelationId", value: ids.correlationID.uuidString.lowercased())
        request.headers.add(name: "MS-PartnerCenter-Application", value: "cpv-consent-orchestrator")
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000)))
            let buffer = try await response.body.collect(upTo: 8 << 20)
            let status = Int(response.status.code)
            logger.debug(
                "partner center call",
                metadata: ["cpv.http.method": "\(method.rawValue)", "cpv.http.status": "\(status)", "cpv.ms_request_id": "\(ids.requestID)"])
            return (status, Data(buffer.readableBytesView), response.headers, response.headers.first(name: "Retry-After"))
        } catch {
            throw .transport(EntraTokenClient.transportReason(error))
        }
    }
}

/// A Partner Center call that did not produce a usable answer.
public enum PartnerCenterCallError: Error, Sendable, CustomStringConvertible {
    /// Partner Center answered with an error status.
    case failed(PartnerCenterFailure)
    /// No answer: timeout, refused connection, closed connection.
    case transport(String)
    case malformedResponse(status: Int)

    public var description: String {
        switch self {
        case .failed(let failure): return "Partner Center answered \(failure.status) (code \(failure.errorCode)): \(failure.description ?? "")"
        case .transport(let reason): return "Partner Center unreachable: \(reason)"
        case .malformedResponse(let status): return "Partner Center answered \(status) with an unreadable body"
        }
    }
}
