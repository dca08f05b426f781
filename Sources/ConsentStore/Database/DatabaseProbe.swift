import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Checks, with one direct connection and a deadline, that the database can be reached and logged
/// into, and says why not in one line. Used at boot so that a wrong URL or a stopped server gives
/// `cannot reach the database ...: connection refused` instead of a pool that waits and retries.
public enum DatabaseProbe {
    public struct Unavailable: Error, CustomStringConvertible {
        public let url: String
        public let reason: String
        public var description: String { "cannot reach the database at \(url): \(reason)" }
    }

    public static func check(_ url: DatabaseURL, timeout: Duration = .seconds(10), logger: Logger) async throws(Unavailable) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.any(),
                        configuration: try connectionConfiguration(url),
                        id: 0,
                        logger: logger
                    ).get()
                    do {
                        try await connection.query("SELECT 1", logger: logger)
                        try await connection.close()
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw TimedOut()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is TimedOut {
            throw Unavailable(url: url.description, reason: "no answer within \(timeout)")
        } catch {
            throw Unavailable(url: url.description, reason: reason(for: error))
        }
    }

    private struct TimedOut: Error {}

    private static func connectionConfiguration(_ url: DatabaseURL) throws -> PostgresConnection.Configuration {
        switch url.endpoint {
        case .unixSocket(let path):
            return .init(unixSocketPath: path, username: url.username, password: url.password?.revealed, database: url.database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            switch url.tlsMode {
            case .disable: tls = .disable
            case .prefer:
                tls = url.isLocal ? .disable : .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            return .init(host: host, port: port, username: url.username, password: url.password?.revealed, database: url.database, tls: tls)
        }
    }

    /// The server's message, or the socket error, without PostgresNIO's internals.
    static func reason(for error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return reason(for: underlying) }
            return "\(psql.code)"
        }
        if let connectError = error as? NIOConnectionError {
            if let first = connectError.connectionErrors.first { return reason(for: first.error) }
            if let dnsError = connectError.dnsAError ?? connectError.dnsAAAAError { return "cannot resolve host (\(dnsError))" }
            return "cannot connect"
        }
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode)).lowercased()
        }
        return String(describing: error)
    }
}
