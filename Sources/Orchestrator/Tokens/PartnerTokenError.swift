import ConsentDomain

/// Why no access token could be had for a partner, or why its token store could not hand out or
/// keep its refresh token (`sealing`, `keyvault_unavailable`, ...). Carries no token material.
public struct PartnerTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: TokenFailureReason
    /// `AADSTS700082`, `no_refresh_token`, `sealing`, ...
    public let code: String
    public let message: String

    public init(reason: TokenFailureReason, code: String, message: String) {
        self.reason = reason
        self.code = code
        self.message = message
    }

    public var description: String { "\(reason.rawValue) (\(code)): \(message)" }
}
