import Composition
import Foundation
import Logging

/// Process-wide set-up shared by the long-running commands.
enum Bootstrap {
    static func configuration(_ purpose: AppConfiguration.Purpose) throws -> AppConfiguration {
        try AppConfiguration(environment: ProcessInfo.processInfo.environment, purpose: purpose)
    }

    /// Installs the log handler chosen by `CPV_LOG_FORMAT` and returns the root logger.
    static func logger(_ configuration: AppConfiguration, label: String = "cpv") -> Logger {
        let format = configuration.logFormat
        let level = configuration.logLevel.level
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
