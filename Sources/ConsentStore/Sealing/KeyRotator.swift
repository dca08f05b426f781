import ConsentDomain
import Foundation
import Logging

/// Re-seals every partner's refresh token under the current sealing key (`cpv keys rotate`).
///
/// Resumable and online: it works a page at a time, each token under the same compare-and-set as
/// a token rotation, so a crash, a restart or a concurrent redemption only means the next pass
/// picks up what is left. Once it reports nothing left, the old key can leave `CPV_SEALING_KEYS`.
public struct KeyRotator: Sendable {
    let repository: PartnerRepository
    let sealer: TokenSealer

    public init(repository: PartnerRepository, sealer: TokenSealer) {
        self.repository = repository
        self.sealer = sealer
    }

    public struct Report: Sendable, Equatable {
        public var resealed = 0
        /// Tokens sealed with a key that is no longer configured: they cannot be read any more.
        public var unreadable: [UUID] = []
    }

    public func rotateAll(actor: String, pageSize: Int = 100, logger: Logger) async throws -> Report {
        var report = Report()
        var skipped = Set<UUID>()
        while true {
            let ids = try await repository.partnerIDsSealedWithOtherKey(
                than: sealer.keys.current.id, limit: pageSize + skipped.count, logger: logger
            ).filter { !skipped.contains($0) }
            if ids.isEmpty { break }
            for id in ids.prefix(pageSize) {
                guard let stored = try await repository.sealedToken(partnerID: id, logger: logger) else { continue }
                do {
                    let token = try sealer.open(stored.sealed, partnerID: id)
                    let resealed = try sealer.seal(token, partnerID: id)
                    if try await repository.reseal(partnerID: id, expectedVersion: stored.version, sealed: resealed, logger: logger) {
                        report.resealed += 1
                    }
                    // A lost compare-and-set means a redemption just wrote a token under the
                    // current key: nothing left to do for this partner.
                } catch {
                    skipped.insert(id)
                    report.unreadable.append(id)
                    logger.error("cannot re-seal a partner's token", metadata: ["cpv.partner": "\(id)", "cpv.error": "\(error)"])
                }
            }
        }
        try await repository.audit.append(
            AuditRecord(
                actor: actor, action: "keys.rotated",
                details: AuditDetails.json([
                    "currentKey": sealer.keys.current.id, "resealed": String(report.resealed), "unreadable": String(report.unreadable.count),
                ])),
            client: repository.client, logger: logger)
        return report
    }
}
