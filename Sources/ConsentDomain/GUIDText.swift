import Foundation

extension UUID {
    /// The GUID as the API, the console, the CLI, errors and logs print it: lower-case, as Microsoft and our
    /// documents do (`UUID.uuidString` is upper-case).
    public var guidText: String { uuidString.lowercased() }
}
