import ConsentDomain
import ConsentStore
import Foundation
import Logging

/// The `CPV_*` environment of a server under test: a per-test database, port 0, fixed test keys.
public enum TestEnvironment {
    /// A fixed sealing key for tests only (32 zero-to-31 bytes); production keys come from `cpv keys generate`.
    public static let sealingKeys = "test1:" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    /// A fixed audit HMAC key for tests only (32 bytes of 0x41); production keys come from `cpv keys generate`.
    public static let auditKeys = "testaudit1:" + Data(repeating: 0x41, count: 32).base64EncodedString()
    public static let applicationID = "11111111-2222-4333-8444-555555555555"

    public static func server(database: DatabaseURL, overrides: [String: String] = [:]) -> [String: String] {
        var environment = [
            "CPV_DATABASE_URL": database.description,
            "CPV_MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
            "CPV_TEMPLATES_DIR": TestDatabase.migrationsDirectory.deletingLastPathComponent().appendingPathComponent("Templates").path,
            "CPV_HTTP_HOST": "127.0.0.1",
            "CPV_HTTP_PORT": "0",
            "CPV_APP_ID": applicationID,
            "CPV_APP_SECRET": "test-client-secret",
            "CPV_SEALING_KEYS": sealingKeys,
            "CPV_AUDIT_KEYS": auditKeys,
            "CPV_LOG_LEVEL": "warning",
        ]
        environment.merge(overrides) { _, new in new }
        return environment
    }
}

/// The audit writer and keys of tests that build repositories by hand.
public enum TestAudit {
    public static let keys: AuditKeyRing = {
        do {
            return try AuditKeyRing(parsing: Secret(TestEnvironment.auditKeys))
        } catch {
            preconditionFailure("the fixed test audit key does not parse: \(error)")
        }
    }()

    public static let writer = AuditWriter(keys: keys)
}

extension PartnerRepository {
    /// Records a consent the way the callback does, through an onboarding invitation issued for it:
    /// for fixtures that need a consented partner without the browser's redirect chain.
    public func consentForTests(
        partnerID: UUID, sealed: TokenSealer.Sealed, consentedBy: String, logger: Logger
    ) async throws {
        let (invitation, _) = try await ConsentInvitationRepository(partners: self).issue(
            partnerID: partnerID, purpose: .onboarding, lifetime: 3_600, actor: "staff:test#0", logger: logger)
        try await completeConsent(
            partnerID: partnerID, invitationID: invitation.id, sealed: sealed, consentedBy: consentedBy,
            actor: "partner-admin:\(consentedBy)", details: [:], logger: logger)
    }
}
