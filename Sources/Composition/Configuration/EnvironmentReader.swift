import ConsentDomain
import Foundation

/// Reads typed values out of the process environment, remembering which keys were asked for so
/// that a misspelt `CPV_*` key can be reported instead of silently ignored.
struct EnvironmentReader {
    private let environment: [String: String]
    private let readFile: (String) -> String?

    init(environment: [String: String], readFile: @escaping (String) -> String?) {
        self.environment = environment
        self.readFile = readFile
    }

    /// A plain value; empty strings count as absent.
    func string(_ key: String) -> String? {
        guard let value = environment[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// A secret from `KEY`, or from the file named by `KEY_FILE` (trailing newline trimmed).
    /// Both at once is refused: it is never clear which one an operator meant.
    func secret(_ key: String) throws(ConfigurationError) -> Secret<String>? {
        let direct = string(key)
        let filePath = string(key + "_FILE")
        switch (direct, filePath) {
        case (.some, .some):
            throw ConfigurationError(key: key, problem: "set either \(key) or \(key)_FILE, not both")
        case (.some(let value), nil):
            return Secret(value)
        case (nil, .some(let path)):
            guard let contents = readFile(path) else {
                throw ConfigurationError(key: key + "_FILE", problem: "cannot read file \(path)")
            }
            let value = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                throw ConfigurationError(key: key + "_FILE", problem: "file \(path) is empty")
            }
            return Secret(value)
        case (nil, nil):
            return nil
        }
    }

    func integer(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw = string(key) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(
                key: key, problem: "must be an integer from \(range.lowerBound) to \(range.upperBound) (got \"\(raw.prefix(40))\")")
        }
        return value
    }

    func boolean(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = string(key) else { return defaultValue }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, problem: "must be true or false (got \"\(raw.prefix(40))\")")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: T) throws(ConfigurationError) -> T
    where T.RawValue == String {
        guard let raw = string(key) else { return defaultValue }
        guard let value = T(rawValue: raw.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, problem: "must be one of \(allowed) (got \"\(raw.prefix(40))\")")
        }
        return value
    }

    /// An absolute http(s) URL without a trailing slash, so paths can be appended.
    func baseURL(_ key: String) throws(ConfigurationError) -> String? {
        guard let raw = string(key) else { return nil }
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw ConfigurationError(key: key, problem: "must be an absolute http(s) URL such as https://example.com (got \"\(raw.prefix(80))\")")
        }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    /// A path to a readable file.
    func filePath(_ key: String) throws(ConfigurationError) -> String? {
        guard let path = string(key) else { return nil }
        guard readFile(path) != nil else {
            throw ConfigurationError(key: key, problem: "cannot read file \(path)")
        }
        return path
    }

    /// Every `CPV_*` key present in the environment that is not in `known`.
    func unknownKeys(known: Set<String>) -> [String] {
        environment.keys.filter { $0.hasPrefix("CPV_") && !known.contains($0) }.sorted()
    }
}
