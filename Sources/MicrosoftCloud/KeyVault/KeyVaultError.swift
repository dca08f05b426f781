/// Everything that can go wrong talking to Azure Key Vault. Never carries a secret value.
public enum KeyVaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The vault could not be reached, timed out, throttled (429) or failed on its side (5xx).
    case unavailable(String)
    /// No vault token: Entra ID refused the client_credentials request (`transient: false`, e.g. a
    /// wrong tenant or secret) or could not be reached (`transient: true`).
    case noVaultToken(transient: Bool, detail: String)
    /// The vault refused the call (401/403): usually a missing access policy or RBAC role
    /// ("Key Vault Secrets Officer") for the CPV application.
    case forbidden(status: Int, code: String)
    /// Any other answer the client cannot use (400, an unreadable body, ...).
    case unexpected(status: Int, code: String)

    /// Whether retrying later can help; otherwise an operator has to fix the configuration.
    public var isTransient: Bool {
        switch self {
        case .unavailable: return true
        case .noVaultToken(let transient, _): return transient
        case .forbidden, .unexpected: return false
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let reason): return "Key Vault unavailable: \(reason)"
        case .noVaultToken(_, let detail): return "no Key Vault token from Entra ID: \(detail)"
        case .forbidden(let status, let code):
            return "Key Vault refused the application (HTTP \(status), \(code)); grant it \"Key Vault Secrets Officer\" on the vault"
        case .unexpected(let status, let code): return "Key Vault answered HTTP \(status) (\(code))"
        }
    }
}
