import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PartnerCenterSimulator

/// One HTTP exchange, body kept as bytes and text.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (tests read fields the way a client would).
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    var jsonArray: [Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [Any] ?? [] }

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A running simulator plus a loopback HTTP client that does not follow redirects.
struct SimulatorHarness: Sendable {
    let sim: RunningSimulator
    let client: HTTPClient

    var state: SimulatorState { sim.state }
    var world: SimulatorWorld { sim.state.world }
    var app: SimulatedApplication { world.applications[0] }
    var base: String { sim.baseURL }

    static func run<T: Sendable>(
        world: SimulatorWorld = .generated(seed: 7, partners: 2, customersPerPartner: 5),
        options: SimulatorOptions = SimulatorOptions(),
        _ body: (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)))
        )
        do {
            let result = try await PartnerCenterSimulator.withRunning(world: world, options: options) { sim in
                try await body(SimulatorHarness(sim: sim, client: client))
            }
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: TimeAmount = .seconds(30)) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
    }

    func get(_ path: String, bearer: String? = nil, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(.GET, path, headers: headers + (bearer.map { [("Authorization", "Bearer \($0)")] } ?? []))
    }

    func json(_ method: HTTPMethod, _ path: String, bearer: String?, body: Any?, headers: [(String, String)] = []) async throws -> HTTPResult {
        var all = headers + [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let bearer { all.append(("Authorization", "Bearer \(bearer)")) }
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }
        return try await send(method, path, headers: all, body: bytes)
    }

    func form(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> HTTPResult {
        let encoded = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")], body: Array(encoded.utf8))
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Query items of a redirect `Location`.
    static func query(of location: String) -> [String: String] {
        guard let components = URLComponents(string: location) else { return [:] }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
}
