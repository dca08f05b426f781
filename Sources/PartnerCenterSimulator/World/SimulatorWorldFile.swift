import Foundation

/// A world file as `cpv simulator --world` reads it: the world JSON (docs/simulator.md) with an
/// optional top-level `"options"` object holding `SimulatorOptions` fields (rate limits, faults,
/// paging, …; each optional). `GET /_sim/world` writes the world alone.
public struct SimulatorWorldFile: Sendable, Equatable {
    public var world: SimulatorWorld
    public var options: SimulatorOptions?

    public init(world: SimulatorWorld, options: SimulatorOptions? = nil) {
        self.world = world
        self.options = options
    }

    private struct OptionsOnly: Decodable { var options: SimulatorOptions? }

    public static func load(contentsOf url: URL) throws -> SimulatorWorldFile {
        try decode(Data(contentsOf: url))
    }

    public static func decode(_ data: Data) throws -> SimulatorWorldFile {
        let world = try SimulatorWorld.decode(data)
        let options = try JSONDecoder().decode(OptionsOnly.self, from: data).options
        return SimulatorWorldFile(world: world, options: options)
    }

    public func jsonData() throws -> Data {
        let worldObject = try JSONSerialization.jsonObject(with: world.jsonData())
        guard var object = worldObject as? [String: Any] else { return try world.jsonData() }
        if let options {
            object["options"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(options))
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
