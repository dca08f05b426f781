import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A faithful offline stand-in for Entra ID, Partner Center, Graph, ARM and Key Vault on one port.
public struct PartnerCenterSimulator: Sendable {
    public let state: SimulatorState
    public let logger: Logger

    public init(world: SimulatorWorld, options: SimulatorOptions = SimulatorOptions(), logger: Logger = Logger(label: "cpv.simulator")) {
        self.init(state: SimulatorState(world: world, options: options), logger: logger)
    }

    public init(state: SimulatorState, logger: Logger = Logger(label: "cpv.simulator")) {
        self.state = state
        self.logger = logger
    }

    /// Every route, routed by path: Entra `/{tenant}/oauth2/...`, Partner Center `/v1/...`, Graph `/v1.0/...`,
    /// ARM `/subscriptions`, Key Vault `/secrets/...`, control `/_sim/...`.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FaultMiddleware(state: state))
        let authorize = EntraAuthorizeEndpoint(state: state)
        let token = EntraTokenEndpoint(state: state)
        router.get("/{tenant}/oauth2/v2.0/authorize") { request, context in
            await authorize.handle(request, tenantSegment: context.parameters.get("tenant") ?? "", version: .v2)
        }
        router.get("/{tenant}/oauth2/authorize") { request, context in
            await authorize.handle(request, tenantSegment: context.parameters.get("tenant") ?? "", version: .v1)
        }
        router.post("/{tenant}/oauth2/v2.0/token") { request, context in
            await token.handle(request, tenantSegment: context.parameters.get("tenant") ?? "", version: .v2)
        }
        router.post("/{tenant}/oauth2/token") { request, context in
            await token.handle(request, tenantSegment: context.parameters.get("tenant") ?? "", version: .v1)
        }
        PartnerCenterRoutes(state: state).register(on: router)
        GraphAndARMRoutes(state: state).register(on: router)
        GraphConsentRoutes(state: state).register(on: router)
        GraphDirectoryRoutes(state: state).register(on: router)
        KeyVaultRoutes(state: state).register(on: router)
        ControlRoutes(state: state).register(on: router)
        ConsentSeedRoutes(state: state).register(on: router)
        DriftRoutes(state: state).register(on: router)
        return router
    }

    /// The Hummingbird application; `onServerRunning` learns the bound port when `port` is 0.
    public func buildApplication(
        configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(router: buildRouter(), configuration: configuration, onServerRunning: onServerRunning, logger: logger)
    }

    /// Runs a simulator on `127.0.0.1` port 0 for the duration of `body`, then shuts it down cleanly
    /// (hung requests are released first so shutdown never waits on them).
    public static func withRunning<T: Sendable>(
        world: SimulatorWorld,
        options: SimulatorOptions = SimulatorOptions(),
        logger: Logger = Logger(label: "cpv.simulator"),
        _ body: (RunningSimulator) async throws -> T
    ) async throws -> T {
        let simulator = PartnerCenterSimulator(world: world, options: options, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = simulator.buildApplication(configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil)) { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                try await tasks.waitForAll()
                throw SimulatorStartError.noPort
            }
            let running = RunningSimulator(baseURL: "http://127.0.0.1:\(port)", port: port, state: simulator.state)
            let result: Result<T, any Error>
            do { result = .success(try await body(running)) } catch { result = .failure(error) }
            simulator.state.hangGate.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// The `cpv simulator` entry: serves until SIGINT/SIGTERM, then shuts down gracefully.
    /// `onReady` receives the base URL once the port is bound (useful with port 0).
    public static func runStandalone(
        host: String, port: Int, world: SimulatorWorld, options: SimulatorOptions = SimulatorOptions(),
        logger: Logger, onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        let simulator = PartnerCenterSimulator(world: world, options: options, logger: logger)
        let app = simulator.buildApplication(configuration: .init(address: .hostname(host, port: port), serverName: nil)) { channel in
            let bound = channel.localAddress?.port ?? port
            let url = "http://\(host):\(bound)"
            logger.notice("simulator listening", metadata: ["cpv.simulator.url": .string(url)])
            onReady(url)
        }
        let shutdownHangs = HangReleaseService(state: simulator.state)
        let group = ServiceGroup(configuration: .init(services: [app, shutdownHangs], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// A simulator running in-process: where to reach it and its state for control and inspection.
public struct RunningSimulator: Sendable {
    /// e.g. `http://127.0.0.1:54321`; point every Microsoft URL of the product here.
    public let baseURL: String
    public let port: Int
    public let state: SimulatorState
}

enum SimulatorStartError: Error, CustomStringConvertible {
    case noPort
    var description: String { "the simulator's HTTP server did not start" }
}

/// Releases hung requests when graceful shutdown begins so the server can drain; listed after the
/// app so the group (which stops services in reverse order) signals it first.
struct HangReleaseService: Service {
    let state: SimulatorState

    func run() async throws {
        try? await gracefulShutdown()
        state.hangGate.shutdown()
    }
}
