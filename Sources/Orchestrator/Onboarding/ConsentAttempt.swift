import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// One consent callback being handled: for which partner and invitation, who signed in (once
/// known), and how a refusal is recorded.
///
/// A refusal goes to the audit trail only while the partner awaits this consent (its invitation
/// open and fitting the partner's status). Otherwise it is logged only: anyone holding a stale
/// link, or a disabled partner's, must not be able to write (their own `error_description`) into
/// the permanent trail.
struct ConsentAttempt {
    let partner: Partner
    let invitation: ConsentInvitation
    let onboarding: PartnerOnboarding
    /// The signed-in user's name, once the code is redeemed.
    var user: String?

    var awaitsConsent: Bool { invitation.state() == .open && invitation.purpose.allows(partner.status) }

    func refuse(_ failure: OnboardingError, logger: Logger) async throws -> Never {
        var metadata: Logger.Metadata = [
            "cpv.partner": "\(partner.id.guidText)", "cpv.invitation": "\(invitation.id)", "cpv.reason": "\(failure.code)",
            "cpv.audited": "\(awaitsConsent)",
        ]
        var details = [
            "reason": failure.code, "message": failure.description, "invitationId": String(invitation.id),
            "purpose": invitation.purpose.rawValue,
        ]
        switch failure {
        case .signInDenied(let error, let description):
            metadata["cpv.entra.error"] = "\(error)"
            metadata["cpv.entra.error_description"] = "\(description)"
            details["entraError"] = error
            details["entraErrorDescription"] = description
        case .tenantMismatch(_, let signedIn):
            details["signedInTenant"] = String(signedIn.prefix(64))
        default:
            break
        }
        if awaitsConsent {
            try await onboarding.repository.audit.append(
                AuditRecord(
                    actor: "partner-admin:\(String((user ?? "unknown").prefix(256)))", action: "partner.consent.refused",
                    partnerID: partner.id, errorCode: failure.code, details: AuditDetails.json(details)),
                client: onboarding.repository.client, logger: logger)
        }
        logger.warning("partner consent refused", metadata: metadata)
        throw failure
    }
}
