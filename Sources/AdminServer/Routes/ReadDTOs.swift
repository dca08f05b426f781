import ConsentStore
import Foundation

/// A customer and its consent state, as `GET /api/v1/customers[/{id}]` shows it.
struct CustomerDTO: Encodable {
    struct Consent: Encodable {
        let state: String
        let grantSetVersion: Int?
        let lastAttemptAt: Date?
        let lastSuccessAt: Date?
        let lastErrorCode: String?
        let lastError: String?
        let attempts: Int
    }
    let id: Int64
    let partnerId: String
    let tenantId: String
    let companyName: String
    let domain: String?
    let relationship: String?
    let firstSeenAt: Date
    let lastSeenAt: Date
    let removedAt: Date?
    let consent: Consent

    init(_ summary: CustomerSummary) {
        id = summary.id
        partnerId = summary.partnerID.guidText
        tenantId = summary.tenantID.guidText
        companyName = summary.companyName
        domain = summary.domain
        relationship = summary.relationship
        firstSeenAt = summary.firstSeenAt
        lastSeenAt = summary.lastSeenAt
        removedAt = summary.removedAt
        consent = Consent(
            state: summary.consentState, grantSetVersion: summary.grantSetVersion, lastAttemptAt: summary.lastAttemptAt,
            lastSuccessAt: summary.lastSuccessAt, lastErrorCode: summary.lastErrorCode, lastError: summary.lastError,
            attempts: summary.attempts)
    }
}

/// A customer's last Graph reading: `state` is verified, drifted, missing or unknown (never
/// "fine" by default), with when it was read and, per resource that differs, the scopes missing
/// from the tenant and the scopes it holds beyond the grant set.
struct VerificationDTO: Encodable {
    struct Resource: Encodable {
        let applicationId: String
        let missingScopes: [String]
        let extraScopes: [String]
    }

    let state: String
    let checkedAt: Date
    let grantSetVersion: Int?
    let resources: [Resource]
    let reason: String?
    let code: String?
    let servicePrincipalId: String?
    /// The last reading that could be made, when this one is `unknown`.
    let lastKnownState: String?
    let lastKnownAt: Date?

    init(_ stored: StoredVerification) {
        let reading = stored.verification
        state = reading.state.rawValue
        checkedAt = reading.checkedAt
        grantSetVersion = stored.grantSetVersion
        resources = reading.resources.map {
            Resource(applicationId: $0.applicationID.description, missingScopes: $0.missingScopes, extraScopes: $0.extraScopes)
        }
        reason = reading.reason
        code = reading.code
        servicePrincipalId = reading.servicePrincipalID
        lastKnownState = stored.lastKnownState?.rawValue
        lastKnownAt = stored.lastKnownAt
    }
}

/// One audit event; `details` is the stored JSON object, passed through as JSON.
struct AuditEventDTO: Encodable {
    let seq: Int64
    let occurredAt: Date
    let actor: String
    let action: String
    let partnerId: String?
    let customerId: Int64?
    let runId: String?
    let taskId: Int64?
    let httpMethod: String?
    let urlPath: String?
    let responseStatus: Int?
    let msRequestId: String?
    let msCorrelationId: String?
    let errorCode: String?
    let durationMs: Int?
    let details: JSONValue?

    init(_ event: AuditEventSummary) {
        seq = event.seq
        occurredAt = event.occurredAt
        actor = event.actor
        action = event.action
        partnerId = event.partnerID?.guidText
        customerId = event.customerID
        runId = event.runID?.guidText
        taskId = event.taskID
        httpMethod = event.httpMethod
        urlPath = event.urlPath
        responseStatus = event.responseStatus
        msRequestId = event.msRequestID?.guidText
        msCorrelationId = event.msCorrelationID?.guidText
        errorCode = event.errorCode
        durationMs = event.durationMilliseconds
        details = event.details.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }
}

/// A page of a cursor-paginated list: `nextCursor` is null on the last page.
struct PageDTO<Item: Encodable>: Encodable {
    let items: [Item]
    let nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        // Explicit null: clients test `nextCursor == null`, not key presence.
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}

/// Any JSON value, to pass stored JSON (audit `details`) through without a fixed shape.
enum JSONValue: Codable, Sendable {
    case string(String), number(Double), bool(Bool), object([String: JSONValue]), array([JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
