import ConsentDomain
import ConsentStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps every active partner's refresh token alive: a token unused for 90 days dies
/// (AADSTS700082), so the keeper redeems each one well before that and stores its successor.
///
/// A token that turns out dead flips its partner to `needs_reconsent` (through the provider), which
/// is how a revoked token is found within one keeper cycle instead of in the middle of a run.
public struct TokenKeeper: Service {
    public struct Report: Sendable, Equatable {
        public var checked = 0
        public var redeemed = 0
        public var failed = 0
    }

    let repository: PartnerRepository
    let provider: PartnerTokenProvider
    /// Redeem tokens not used for this long. Seven days leaves twelve tries before the 90-day limit.
    let redeemAfter: TimeInterval
    /// How often to look for due partners.
    let checkEvery: Duration
    let logger: Logger

    public init(
        repository: PartnerRepository, provider: PartnerTokenProvider, redeemAfter: TimeInterval = 7 * 86_400,
        checkEvery: Duration = .seconds(3_600), logger: Logger
    ) {
        self.repository = repository
        self.provider = provider
        self.redeemAfter = redeemAfter
        self.checkEvery = checkEvery
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: checkEvery) {
            do {
                _ = try await self.keepOnce(now: Date())
            } catch {
                self.logger.error("token keeper cycle failed", metadata: ["cpv.error": "\(String(reflecting: error))"])
            }
        }
    }

    /// One cycle: redeem every active partner whose token was last used more than `redeemAfter` ago.
    public func keepOnce(now: Date) async throws -> Report {
        var report = Report()
        let due = try await repository.activePartnersRedeemedBefore(now.addingTimeInterval(-redeemAfter), logger: logger)
        for partner in due {
            report.checked += 1
            let profile = provider.profile(for: partner)
            do {
                _ = try await provider.accessToken(
                    for: partner, tenant: partner.tenantID.description, scope: profile.partnerCenterScope, forceRedeem: true,
                    logger: logger)
                report.redeemed += 1
            } catch {
                report.failed += 1
                let level: Logger.Level = error.reason.requiresPartnerReconsent ? .error : .warning
                logger.log(
                    level: level, "token keeper could not redeem a partner's refresh token",
                    metadata: ["cpv.partner": "\(partner.id.guidText)", "cpv.reason": "\(error.reason.rawValue)", "cpv.code": "\(error.code)"])
            }
        }
        if report.checked > 0 {
            logger.info("token keeper cycle", metadata: ["cpv.checked": "\(report.checked)", "cpv.redeemed": "\(report.redeemed)", "cpv.failed": "\(report.failed)"])
        }
        return report
    }
}
