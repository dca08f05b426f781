import ConsentDomain
import Foundation

/// Why a partner's consent sign-in could not be started or completed. Each case has a stable code
/// for the result page and the audit trail; none carries a token or a code.
public enum OnboardingError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPartner
    case partnerDisabled
    /// The `state` is unknown, already used, expired or forged.
    case invalidState
    /// Entra ID sent the admin back with an error (`access_denied`, ...).
    case signInDenied(error: String, description: String)
    /// The authorization code could not be redeemed.
    case codeRedemptionFailed(reason: TokenFailureReason, code: String)
    /// Someone from another tenant signed in: nothing is stored.
    case tenantMismatch(expected: TenantID, signedIn: String)
    /// The sign-in did not use multi-factor authentication, which Partner Center requires.
    case mfaMissing
    /// No refresh token came back (`offline_access` not granted).
    case noRefreshToken
    /// The refresh token could not be stored (Key Vault unreachable or refusing the application).
    case tokenStoreFailed(reason: TokenFailureReason, code: String)

    public var code: String {
        switch self {
        case .unknownPartner: return "unknown_partner"
        case .partnerDisabled: return "partner_disabled"
        case .invalidState: return "invalid_state"
        case .signInDenied: return "sign_in_denied"
        case .codeRedemptionFailed: return "code_redemption_failed"
        case .tenantMismatch: return "tenant_mismatch"
        case .mfaMissing: return "mfa_missing"
        case .noRefreshToken: return "no_refresh_token"
        case .tokenStoreFailed: return "token_store_failed"
        }
    }

    public var description: String {
        switch self {
        case .unknownPartner: return "This consent link does not belong to a registered partner."
        case .partnerDisabled: return "This partner is disabled; ask the CPV operations team to enable it first."
        case .invalidState: return "This sign-in link has expired or was already used. Start again from the consent link."
        case .signInDenied(let error, let description):
            return "Microsoft sign-in ended without consent (\(error)): \(description.prefix(200))"
        case .codeRedemptionFailed(let reason, let code):
            return "Microsoft did not accept the sign-in (\(code), \(reason.rawValue)). Start again from the consent link."
        case .tenantMismatch(let expected, _):
            return "The account that signed in does not belong to the partner's tenant \(expected). Sign in with an admin account of that tenant."
        case .mfaMissing:
            return "The sign-in did not use multi-factor authentication, which Partner Center requires. Sign in again with MFA."
        case .noRefreshToken:
            return "Microsoft returned no refresh token (offline access was not granted). Start again and accept every permission."
        case .tokenStoreFailed(let reason, let code):
            return reason == .transient
                ? "The sign-in worked but its token could not be stored right now (\(code)). Start again from the consent link in a few minutes."
                : "The sign-in worked but its token could not be stored (\(code)). Ask the CPV operations team to check the token store."
        }
    }
}
