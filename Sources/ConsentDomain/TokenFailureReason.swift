/// Why Entra ID refused to give us a token, reduced to what the orchestrator does about it.
/// Classified from the token endpoint's `error_codes` (AADSTS numbers) and `error`; Microsoft asks
/// clients not to parse `error_description`, so we never do.
public enum TokenFailureReason: String, Sendable, Codable, CaseIterable {
    /// The refresh token is dead (90 days unused, revoked, Conditional Access sign-in frequency):
    /// an admin of the partner must sign in again.
    case partnerMustReconsent = "partner_must_reconsent"
    /// The partner's user must (register for, or pass) MFA interactively.
    case mfaRequired = "mfa_required"
    /// Conditional Access (or a risk policy) blocks the sign-in; retrying cannot help.
    case conditionalAccessBlocked = "conditional_access_blocked"
    /// The CPV app has no consent in the tenant the token was asked for (AADSTS65001, 90099).
    case consentMissing = "consent_missing"
    /// Our own configuration or code is wrong (secret, certificate, app id, scopes, a resource's
    /// service principal missing): never retried, needs an operator. Client bugs (AADSTS901002,
    /// 70011, 700022, 54005) are in this bucket too: same action, an alert.
    case appMisconfigured = "app_misconfigured"
    /// The tenant does not exist in this cloud, or its id is malformed.
    case tenantNotFound = "tenant_not_found"
    /// Entra ID asks us to try again (server-side or throttling).
    case transient

    /// Worth retrying with backoff.
    public var isRetryable: Bool { self == .transient }

    /// The partner's stored token cannot be used until an admin of the partner signs in again:
    /// the partner flips to `needs_reconsent`.
    public var requiresPartnerReconsent: Bool {
        switch self {
        case .partnerMustReconsent, .mfaRequired, .conditionalAccessBlocked: true
        case .consentMissing, .appMisconfigured, .tenantNotFound, .transient: false
        }
    }

    /// The AADSTS table (partner-center-api.md §1.6). Codes not listed here fall through to `error`.
    static let byAADSTSCode: [Int: TokenFailureReason] = {
        var table: [Int: TokenFailureReason] = [:]
        for code in [700082, 70008, 50173, 70043] { table[code] = .partnerMustReconsent }
        for code in [50076, 50079, 50074, 50078] { table[code] = .mfaRequired }
        for code in [53003, 530034] { table[code] = .conditionalAccessBlocked }
        for code in [65001, 90099] { table[code] = .consentMissing }
        for code in [7000215, 7000222, 700027, 700016, 7000112, 70001, 650052, 500011, 901002, 70011, 700022, 54005] {
            table[code] = .appMisconfigured
        }
        for code in [90002, 900023] { table[code] = .tenantNotFound }
        for code in [50033, 50087, 90006, 90033, 90090, 90024, 50196, 90055] { table[code] = .transient }
        return table
    }()

    /// Classifies a token endpoint failure.
    ///
    /// The first AADSTS code in `aadstsCodes` that the table knows wins (Entra ID lists the most
    /// specific code first, e.g. `[70002, 70008]`). Without a known code, the OAuth `error` decides:
    /// `invalid_grant` and `interaction_required` mean the grant is unusable (re-consent);
    /// `consent_required` is `consentMissing`; `invalid_tenant` is `tenantNotFound`;
    /// `invalid_client`, `unauthorized_client`, `invalid_scope`, `invalid_resource`,
    /// `invalid_request` and `unsupported_grant_type` are ours to fix. An HTTP 5xx, `temporarily_unavailable`
    /// and anything unrecognised are `transient`: retried a bounded number of times and then
    /// surfaced, rather than flipping a partner to `needs_reconsent` on an error we do not understand.
    public static func classify(aadstsCodes: [Int], error: String, httpStatus: Int? = nil) -> TokenFailureReason {
        if let known = aadstsCodes.lazy.compactMap({ byAADSTSCode[$0] }).first {
            return known
        }
        if let status = httpStatus, (500...599).contains(status) {
            return .transient
        }
        switch error.lowercased() {
        case "invalid_grant", "interaction_required": return .partnerMustReconsent
        case "consent_required": return .consentMissing
        case "invalid_tenant": return .tenantNotFound
        case "invalid_client", "unauthorized_client", "invalid_scope", "invalid_resource", "invalid_request",
            "unsupported_grant_type":
            return .appMisconfigured
        default: return .transient
        }
    }
}
