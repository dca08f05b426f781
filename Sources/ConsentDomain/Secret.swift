/// A value that must never be printed: refresh tokens, client secrets, API tokens, keys.
///
/// Redaction is done by the type, not by remembering to: `description`, `debugDescription`,
/// string interpolation and `dump` all show `<redacted>`. The only way to the value is
/// `revealed`, which is easy to grep for in review.
public struct Secret<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// The wrapped value. Use only where the secret leaves the process on purpose
    /// (a request to Entra ID, a seal operation, a hash).
    public var revealed: Value { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(reflecting: "<redacted>") }
}

extension Secret: Equatable where Value: Equatable {}
