import ConsentDomain
import ConsentStore
import Foundation

/// Why a partner's consent sign-in could not be started or completed. Each case has a stable code
/// for the result page and the audit trail; none carries a token, a code or an invitation secret.
public enum OnboardingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The invitation is unknown, used, revoked or expired, or no longer fits the partner.
    case invalidInvitation
    /// The `state` is unknown, already used, expired or forged.
    case invalidState
    /// The authorization response names another issuer than the partner's tenant (RFC 9207).
    case issuerMismatch
    /// Entra ID sent the admin back with an error (`access_denied`, ...), cut to size.
    case signInDenied(error: String, description: String)
    /// The authorization code could not be redeemed.
    case codeRedemptionFailed(reason: TokenFailureReason, code: String)
    /// Someone from another tenant signed in: nothing is stored.
    case tenantMismatch(expected: TenantID, signedIn: String)
    /// The sign-in did not use multi-factor authentication, which Partner Center requires.
    case mfaMissing
    /// A guest of the partner's directory, not one of its own users.
    case guestUser
    /// A member of the partner's tenant who is neither a Global Administrator nor an Admin Agent.
    case notAnAdmin
    /// Neither the id token nor Graph named the user's roles (the registration lacks both the
    /// groups claim and a directory-read permission).
    case adminUnverifiable
    /// Graph could not be asked who the user is (unreachable, or it refused the token).
    case roleCheckFailed(code: String)
    /// No refresh token came back (`offline_access` not granted).
    case noRefreshToken
    /// The refresh token could not be stored (Key Vault unreachable or refusing the application).
    case tokenStoreFailed(reason: TokenFailureReason, code: String)
    /// The partner was disabled, the invitation closed, or the partner consented through another
    /// invitation while this sign-in was under way.
    case consentNoLongerAllowed(ConsentCompletionError)

    public var code: String {
        switch self {
        case .invalidInvitation: return "invalid_invitation"
        case .invalidState: return "invalid_state"
        case .issuerMismatch: return "issuer_mismatch"
        case .signInDenied: return "sign_in_denied"
        case .codeRedemptionFailed: return "code_redemption_failed"
        case .tenantMismatch: return "tenant_mismatch"
        case .mfaMissing: return "mfa_missing"
        case .guestUser: return "guest_user"
        case .notAnAdmin: return "not_an_admin"
        case .adminUnverifiable: return "admin_unverifiable"
        case .roleCheckFailed: return "role_check_failed"
        case .noRefreshToken: return "no_refresh_token"
        case .tokenStoreFailed: return "token_store_failed"
        case .consentNoLongerAllowed(let reason):
            switch reason {
            case .partnerDisabled: return "partner_disabled"
            case .purposeDoesNotFit: return "already_consented"
            case .invitationNotOpen, .partnerNotFound: return "invitation_closed"
            }
        }
    }

    public var description: String {
        switch self {
        case .invalidInvitation:
            return "This consent link is not valid any more (it was used, revoked or has expired). Ask the CPV operations team for a new one."
        case .invalidState: return "This sign-in has expired or was already used. Start again from your consent link."
        case .issuerMismatch: return "The sign-in answer did not come from your organisation's Microsoft sign-in. Start again from your consent link."
        case .signInDenied(let error, _): return "Microsoft sign-in ended without consent (\(error)). Start again from your consent link."
        case .codeRedemptionFailed(let reason, let code):
            return "Microsoft did not accept the sign-in (\(code), \(reason.rawValue)). Start again from your consent link."
        case .tenantMismatch(let expected, _):
            return "The account that signed in does not belong to the partner's tenant \(expected). Sign in with an admin account of that tenant."
        case .mfaMissing:
            return "The sign-in did not use multi-factor authentication, which Partner Center requires. Sign in again with MFA."
        case .guestUser:
            return "The account that signed in is a guest of the partner's tenant. Sign in with an administrator account of the tenant itself."
        case .notAnAdmin:
            return "The account that signed in is not an administrator of the partner's tenant. A Global Administrator or an Admin Agent must consent."
        case .adminUnverifiable:
            return "Your administrator role could not be confirmed. Ask the CPV operations team to check the application registration (docs/onboarding.md)."
        case .roleCheckFailed(let code):
            return "Your account could not be checked with Microsoft Graph right now (\(code)). Start again from your consent link in a few minutes."
        case .noRefreshToken:
            return "Microsoft returned no refresh token (offline access was not granted). Start again and accept every permission."
        case .tokenStoreFailed(let reason, let code):
            return reason == .transient
                ? "The sign-in worked but its token could not be stored right now (\(code)). Start again from your consent link in a few minutes."
                : "The sign-in worked but its token could not be stored (\(code)). Ask the CPV operations team to check the token store."
        case .consentNoLongerAllowed(let reason):
            switch reason {
            case .partnerDisabled: return "This partner is disabled; no consent can be recorded. Ask the CPV operations team."
            case .purposeDoesNotFit:
                return "Consent for this partner is already recorded; this link cannot replace it. Ask the CPV operations team for a re-consent link."
            case .invitationNotOpen, .partnerNotFound:
                return "This consent link was used, revoked or expired while you were signing in. Ask the CPV operations team for a new one."
            }
        }
    }
}
