import ConsentDomain
import ConsentStore
import Foundation
import MicrosoftCloud

/// One Partner Center call of a consent task: what was sent and what came back, for the audit
/// trail. Holds the grant payload, never a token.
struct ConsentCallAttempt: Sendable {
    let call: ConsentCall
    let ids: PartnerCenterClient.CallIDs
    /// Counted attempts of this call before this one (0 for the first try).
    let attempt: Int
    let urlPath: String
    let payload: String?
    var status: Int?
    var responseBody: String?
    var errorCode: String?
    var durationMilliseconds = 0

    var httpMethod: String { call == .delete ? "DELETE" : "POST" }

    var report: ConsentCallReport {
        ConsentCallReport(
            call: call, status: status, errorCode: errorCode, requestID: ids.requestID, correlationID: ids.correlationID,
            durationMilliseconds: durationMilliseconds)
    }
}

/// Builds the audit records of a consent task: every record names the partner, the customer and
/// the pair's correlation id; call records add method, path, payload, status, code and duration.
struct ConsentAuditTrail: Sendable {
    let actor: String
    let partnerID: UUID
    let customerID: Int64
    let grantSetVersion: Int

    /// `consent.delete.requested` / `consent.post.requested`, appended right before the call goes out.
    func requested(_ attempt: ConsentCallAttempt) -> AuditRecord {
        let action: ConsentAuditAction = attempt.call == .delete ? .deleteRequested : .postRequested
        return AuditRecord(
            actor: actor, action: action.rawValue, partnerID: partnerID, customerID: customerID,
            httpMethod: attempt.httpMethod, urlPath: attempt.urlPath, requestBody: attempt.payload,
            msRequestID: attempt.ids.requestID, msCorrelationID: attempt.ids.correlationID,
            details: AuditDetails.json(["attempt": String(attempt.attempt + 1), "grantSetVersion": String(grantSetVersion)]))
    }

    /// The records of one step of the state machine, in its order. `*.requested` actions are left
    /// out: they are appended right before the call itself (see `requested(_:)`), which for a retry
    /// comes only after the wait.
    func records(
        for actions: [ConsentAuditAction], last: ConsentCallAttempt?, correlationID: UUID, errorCode: String?,
        extra: [String: String]
    ) -> [AuditRecord] {
        actions.compactMap { action in
            switch action {
            case .deleteRequested, .postRequested:
                return nil
            case .deleteSucceeded, .deleteNotFound, .deleteFailed, .postSucceeded, .postConflict, .postFailed:
                guard let last else { return event(action, correlationID: correlationID, errorCode: errorCode, extra: extra) }
                return AuditRecord(
                    actor: actor, action: action.rawValue, partnerID: partnerID, customerID: customerID,
                    httpMethod: last.httpMethod, urlPath: last.urlPath, requestBody: last.payload,
                    responseStatus: last.status, responseBody: last.responseBody, msRequestID: last.ids.requestID,
                    msCorrelationID: last.ids.correlationID, errorCode: last.errorCode,
                    durationMilliseconds: last.durationMilliseconds,
                    details: AuditDetails.json(["attempt": String(last.attempt + 1), "grantSetVersion": String(grantSetVersion)]))
            default:
                return event(action, correlationID: correlationID, errorCode: errorCode, extra: extra)
            }
        }
    }

    /// A record that is a decision rather than a call (retry scheduled, gave up, blocked, ...).
    func event(_ action: ConsentAuditAction, correlationID: UUID, errorCode: String?, extra: [String: String]) -> AuditRecord {
        var details = extra
        details["grantSetVersion"] = String(grantSetVersion)
        return AuditRecord(
            actor: actor, action: action.rawValue, partnerID: partnerID, customerID: customerID,
            msCorrelationID: correlationID, errorCode: errorCode, details: AuditDetails.json(details))
    }

    /// Any other event of the task (verification).
    func custom(_ action: String, correlationID: UUID, errorCode: String? = nil, details: [String: String]) -> AuditRecord {
        AuditRecord(
            actor: actor, action: action, partnerID: partnerID, customerID: customerID, msCorrelationID: correlationID,
            errorCode: errorCode, details: AuditDetails.json(details))
    }
}
