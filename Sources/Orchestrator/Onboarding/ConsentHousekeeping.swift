import Logging
import ServiceLifecycle

/// Deletes expired consent sign-ins (`consent_requests`) every `interval` (inside `cpv serve`):
/// the public consent endpoints create them, so they must not accumulate.
public struct ConsentHousekeeping: Service {
    let invitations: ConsentInvitations
    let interval: Duration
    let logger: Logger

    public init(invitations: ConsentInvitations, interval: Duration = .seconds(600), logger: Logger) {
        self.invitations = invitations
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { [invitations, logger] in
            do {
                let purged = try await invitations.purgeExpiredSignIns(logger: logger)
                if purged > 0 { logger.debug("purged expired consent sign-ins", metadata: ["cpv.purged": "\(purged)"]) }
            } catch {
                logger.warning("consent housekeeping failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
            }
        }
    }
}
