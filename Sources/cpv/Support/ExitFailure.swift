import Foundation

/// A failure reported as one line `cpv: ...` on standard error and a documented exit code.
struct ExitFailure: Error {
    /// Exit codes follow sysexits(3) so that scripts and systemd can tell failures apart.
    enum Code: Int32 {
        case failure = 1
        case usage = 64
        case dataError = 65
        /// The API has no such thing (404): a partner, customer, run, token or grant set version.
        case notFound = 66
        case unavailable = 69
        /// The API refused the token (401) or its role (403).
        case noPermission = 77
        case configuration = 78
        /// 128 + SIGINT, as shells report an interrupted command.
        case interrupted = 130
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    func exit() -> Never {
        FileHandle.standardError.write(Data("cpv: \(message)\n".utf8))
        Foundation.exit(code.rawValue)
    }
}
