import Foundation

/// One event for the audit trail: a call to Microsoft, a staff action, or a system decision.
///
/// Never put a token, secret or key in any field: bodies are the grant payloads and Microsoft's
/// error bodies, which carry neither.
public struct AuditRecord: Sendable, Equatable {
    /// Who acted: `staff:<token name>`, `system:<component>`, `partner-admin:<upn>`.
    public var actor: String
    /// Dotted name, e.g. `consent.delete.requested`, `partner.registered`, `token.redeem.failed`.
    public var action: String
    public var partnerID: UUID?
    public var customerID: Int64?
    public var runID: UUID?
    public var taskID: Int64?
    public var httpMethod: String?
    public var urlPath: String?
    /// JSON text of the request body (the grant payload), or nil.
    public var requestBody: String?
    public var responseStatus: Int?
    /// Response body, cut to `AuditRecord.maximumResponseBodyLength`.
    public var responseBody: String?
    public var msRequestID: UUID?
    public var msCorrelationID: UUID?
    public var errorCode: String?
    public var durationMilliseconds: Int?
    /// JSON text of anything else worth keeping (counts, reasons).
    public var details: String?

    /// Long enough for any Partner Center error body; bounded so one odd answer cannot bloat the table.
    public static let maximumResponseBodyLength = 2_000

    public init(
        actor: String, action: String, partnerID: UUID? = nil, customerID: Int64? = nil, runID: UUID? = nil,
        taskID: Int64? = nil, httpMethod: String? = nil, urlPath: String? = nil, requestBody: String? = nil,
        responseStatus: Int? = nil, responseBody: String? = nil, msRequestID: UUID? = nil,
        msCorrelationID: UUID? = nil, errorCode: String? = nil, durationMilliseconds: Int? = nil, details: String? = nil
    ) {
        self.actor = actor
        self.action = action
        self.partnerID = partnerID
        self.customerID = customerID
        self.runID = runID
        self.taskID = taskID
        self.httpMethod = httpMethod
        self.urlPath = urlPath
        self.requestBody = requestBody
        self.responseStatus = responseStatus
        self.responseBody = responseBody.map { String($0.prefix(Self.maximumResponseBodyLength)) }
        self.msRequestID = msRequestID
        self.msCorrelationID = msCorrelationID
        self.errorCode = errorCode
        self.durationMilliseconds = durationMilliseconds
        self.details = details
    }
}
