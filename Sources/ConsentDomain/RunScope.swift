import Foundation

/// Which customers a run covers. JSON form (the API's and `runs.scope`'s): exactly one key,
/// `{"all": true}`, `{"partnerIds": [...]}`, `{"customerIds": [...]}`, `{"states": [...]}` or
/// `{"drift": true}` (customers not granted at the newest grant set version).
public enum RunScope: Sendable, Equatable, Hashable, Codable {
    case all
    case partnerIDs([UUID])
    case customerIDs([Int64])
    case states([ConsentState])
    case drift

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let all = Key(stringValue: "all")
        static let partnerIDs = Key(stringValue: "partnerIds")
        static let customerIDs = Key(stringValue: "customerIds")
        static let states = Key(stringValue: "states")
        static let drift = Key(stringValue: "drift")
        static let known = ["all", "partnerIds", "customerIds", "states", "drift"]
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let keys = container.allKeys.map(\.stringValue).sorted()
        let expected = "exactly one of " + Key.known.joined(separator: ", ")
        guard keys.count == 1, let key = container.allKeys.first else {
            let found = keys.isEmpty ? "no key" : keys.joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "scope needs \(expected); found \(found)"))
        }
        switch key.stringValue {
        case Key.all.stringValue:
            try Self.requireTrue(container, key)
            self = .all
        case Key.drift.stringValue:
            try Self.requireTrue(container, key)
            self = .drift
        case Key.partnerIDs.stringValue:
            self = .partnerIDs(try Self.nonEmpty(container, key))
        case Key.customerIDs.stringValue:
            self = .customerIDs(try Self.nonEmpty(container, key))
        case Key.states.stringValue:
            self = .states(try Self.nonEmpty(container, key))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "unknown scope key \(key.stringValue); expected \(expected)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .all: try container.encode(true, forKey: .all)
        // Lower-case, as GUIDs are printed everywhere else (`UUID` encodes upper-case).
        case .partnerIDs(let ids): try container.encode(ids.map { $0.uuidString.lowercased() }, forKey: .partnerIDs)
        case .customerIDs(let ids): try container.encode(ids, forKey: .customerIDs)
        case .states(let states): try container.encode(states, forKey: .states)
        case .drift: try container.encode(true, forKey: .drift)
        }
    }

    // `{"all": false}` would read as "no customers"; refuse it rather than guess.
    private static func requireTrue(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws {
        guard try container.decode(Bool.self, forKey: key) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(key.stringValue) must be true")
        }
    }

    // An empty list is almost certainly a client bug; a run over nothing helps nobody.
    private static func nonEmpty<Element: Decodable>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key
    ) throws -> [Element] {
        let values = try container.decode([Element].self, forKey: key)
        guard !values.isEmpty else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(key.stringValue) must not be empty")
        }
        return values
    }
}
