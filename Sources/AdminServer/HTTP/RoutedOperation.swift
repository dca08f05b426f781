import HTTPTypes

/// One route of the live router, as `METHOD /path/{param}` (Hummingbird's path description uses
/// OpenAPI's `{name}` captures, so it compares directly with the document's paths).
public struct RoutedOperation: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    public let path: String

    public init(method: HTTPRequest.Method, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method.rawValue) \(path)" }
}
