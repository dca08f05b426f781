import ConsentDomain

/// One version of a Key Vault secret: its value (redacted by type) and the version id Key Vault
/// gave it (the last path segment of the secret's `id`).
public struct KeyVaultSecret: Sendable {
    public let value: Secret<String>
    public let version: String

    public init(value: Secret<String>, version: String) {
        self.value = value
        self.version = version
    }
}
