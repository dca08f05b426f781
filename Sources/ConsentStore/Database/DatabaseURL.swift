import ConsentDomain
import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=...` URL.
///
/// A unix socket is written as `postgres://user@/database?host=/path/to/socket/dir` (libpq's form).
/// The password is a `Secret`, so printing the URL never shows it.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: Secret<String>?
    public var database: String
    public var tlsMode: TLSMode

    public init(endpoint: Endpoint, username: String, password: Secret<String>?, database: String, tlsMode: TLSMode) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
    }

    /// Parses the URL, explaining in one line what is wrong when it cannot.
    public init(parsing string: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme else {
            throw .malformed("not a URL (expected postgres://user:password@host:port/database)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw .malformed("scheme must be postgres:// or postgresql://, not \(scheme)://")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .malformed("a user name is required (postgres://USER@host/database)")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw .malformed("a database name is required after the host (postgres://user@host/DATABASE)")
        }
        var socketDirectory: String?
        var tlsMode = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host":
                socketDirectory = item.value
            case "sslmode":
                switch item.value ?? "" {
                case "disable": tlsMode = .disable
                case "allow", "prefer": tlsMode = .prefer
                case "require", "verify-ca", "verify-full": tlsMode = .require
                default: throw .malformed("sslmode must be disable, prefer or require")
                }
            default:
                throw .malformed("unknown query parameter \(item.name) (supported: sslmode, host)")
            }
        }
        if let socketDirectory, socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            endpoint = .unixSocket(path: "\(socketDirectory)/.s.PGSQL.\(port)")
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw .malformed("a host is required (postgres://user@HOST:port/database)")
            }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else { throw .malformed("port must be 1-65535") }
            endpoint = .tcp(host: host, port: port)
        }
        username = user.removingPercentEncoding ?? user
        password = components.password.map { Secret($0.removingPercentEncoding ?? $0) }
        database = path.removingPercentEncoding ?? path
        self.tlsMode = tlsMode
    }

    /// True for loopback hosts and unix sockets: the only databases tests may touch.
    public var isLocal: Bool {
        switch endpoint {
        case .unixSocket: return true
        case .tcp(let host, _):
            return ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
                || host.hasPrefix("127.")
        }
    }

    /// The same server, another database (used to create and drop per-test databases).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// Where the server is, without credentials: safe for logs and error messages.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port): return "postgres://\(username)@\(host):\(port)/\(database)"
        case .unixSocket(let path): return "postgres://\(username)@/\(database)?host=\(path)"
        }
    }

    /// The PostgresNIO client configuration for this URL.
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = isLocal ? .disable : .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(
                host: host, port: port, username: username, password: password?.revealed,
                database: database, tls: tls)
        case .unixSocket(let path):
            configuration = .init(
                unixSocketPath: path, username: username, password: password?.revealed, database: database)
        }
        // Fail fast when the database is unreachable instead of waiting in the pool forever.
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}

/// Why a database URL was refused. The message never contains the password.
public enum DatabaseURLError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): return reason
        }
    }
}
