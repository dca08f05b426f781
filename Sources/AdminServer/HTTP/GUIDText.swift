import Foundation

extension UUID {
    /// The GUID as the API, the console and the CLI print it: lower-case, as Microsoft and our
    /// documents do (`UUID.uuidString` is upper-case).
    var guidText: String { uuidString.lowercased() }
}
