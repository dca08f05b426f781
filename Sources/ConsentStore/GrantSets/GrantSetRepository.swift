import ConsentDomain
import Foundation
import Logging
import PostgresNIO

/// Versioned grant sets (the desired consent). The newest version is the one runs apply; versions
/// are never edited, a change publishes the next one with a `grant_set.published` audit event.
public struct GrantSetRepository: Sendable {
    public let client: PostgresClient
    /// Appends this store's audit events to the keyed chain.
    public let audit: AuditWriter

    public init(client: PostgresClient, audit: AuditWriter) {
        self.client = client
        self.audit = audit
    }

    static let columnList = ColumnList(
        "version", "application_id", "display_name", "grants::text AS grants", "created_by", "created_at")
    static let columns = columnList.sql

    /// The newest grant set, or nil before the first one is published.
    public func current(logger: Logger) async throws -> GrantSet? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM grant_sets ORDER BY version DESC LIMIT 1", logger: logger)
        for try await row in rows { return try Self.grantSet(NamedRow(row)) }
        return nil
    }

    public func grantSet(version: Int, logger: Logger) async throws -> GrantSet? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM grant_sets WHERE version = \(version)", logger: logger)
        for try await row in rows { return try Self.grantSet(NamedRow(row)) }
        return nil
    }

    /// Every version, newest first (a handful per year: no paging needed).
    public func all(logger: Logger) async throws -> [GrantSet] {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM grant_sets ORDER BY version DESC", logger: logger)
        var sets: [GrantSet] = []
        for try await row in rows { sets.append(try Self.grantSet(NamedRow(row))) }
        return sets
    }

    /// Publishes a validated draft as the next version, with its audit event, in one transaction.
    /// The store's primitive: who may publish (two admins, within the ceiling) is
    /// `GrantSetPublishing`'s rule, and staff reach this only through it.
    public func publish(_ draft: ValidGrantSetDraft, actor: String, logger: Logger) async throws -> GrantSet {
        try await client.inTransaction(logger: logger) { connection in
            try await publish(draft, actor: actor, on: connection, logger: logger)
        }
    }

    /// Publishes a validated draft as the next version, with its audit event, inside the caller's
    /// transaction (an approved proposal: `GrantSetProposalRepository.approve`).
    func publish(_ draft: ValidGrantSetDraft, actor: String, on connection: PostgresConnection, logger: Logger) async throws -> GrantSet {
        guard let inserted = try await insertNext(draft: draft, actor: actor, onlyIfEmpty: false, on: connection, logger: logger) else {
            throw GrantSetStoreError.notInserted
        }
        return inserted
    }

    /// Publishes version 1 from configuration if no grant set exists yet; otherwise returns the
    /// current one untouched (configuration seeds a fresh installation, it never overrides staff).
    public func seedIfEmpty(
        applicationID: ApplicationID, displayName: String, graphScopes: [String], actor: String = "system:seed", logger: Logger
    ) async throws -> GrantSet {
        let seed = GrantSet.seed(applicationID: applicationID, displayName: displayName, graphScopes: graphScopes, createdAt: Date())
        let draft = GrantSetDraft(
            applicationID: seed.applicationID.description, displayName: seed.displayName,
            grants: seed.grants.map { GrantSetDraft.Grant(enterpriseApplicationID: $0.enterpriseApplicationID.description, scopes: $0.scopes) })
        let valid = try draft.validated()
        let inserted = try await client.withTransaction(logger: logger) { connection in
            try await insertNext(draft: valid, actor: actor, onlyIfEmpty: true, on: connection, logger: logger)
        }
        if let inserted { return inserted }
        guard let current = try await current(logger: logger) else { throw GrantSetStoreError.notInserted }
        return current
    }

    func insertNext(
        draft: ValidGrantSetDraft, actor: String, onlyIfEmpty: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> GrantSet? {
        // Serialises publishers so that two never pick the same version; readers are not blocked.
        try await connection.query("LOCK TABLE grant_sets IN EXCLUSIVE MODE", logger: logger)
        var next = 1
        for try await latest in try await connection.query("SELECT max(version) FROM grant_sets", logger: logger).decode(Int?.self) {
            if let latest {
                if onlyIfEmpty { return nil }
                next = latest + 1
            }
        }
        let grants = try Self.grantsJSON(draft.grants)
        let rows = try await connection.query(
            """
            INSERT INTO grant_sets (version, application_id, display_name, grants, created_by)
            VALUES (\(next), \(draft.applicationID.uuid), \(draft.displayName), \(grants)::jsonb, \(actor))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        var inserted: GrantSet?
        for try await row in rows { inserted = try Self.grantSet(NamedRow(row)) }
        guard let grantSet = inserted else { throw GrantSetStoreError.notInserted }
        try await audit.append(
            AuditRecord(
                actor: actor, action: "grant_set.published", requestBody: grants,
                details: AuditDetails.json([
                    "version": String(grantSet.version), "applicationId": grantSet.applicationID.description,
                    "displayName": grantSet.displayName,
                ])),
            on: connection, logger: logger)
        return grantSet
    }

    /// The grants in Partner Center's wire form, which is also the stored form.
    public static func grantsJSON(_ grants: [ApplicationGrant]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(grants), as: UTF8.self)
    }

    static func grantSet(_ row: NamedRow) throws -> GrantSet {
        let version: Int = try row("version")
        let grants: [ApplicationGrant]
        do {
            grants = try JSONDecoder().decode([ApplicationGrant].self, from: Data(try row("grants", as: String.self).utf8))
        } catch {
            throw GrantSetStoreError.corruptRow(version: version)
        }
        return GrantSet(
            version: version, applicationID: ApplicationID(try row("application_id", as: UUID.self)),
            displayName: try row("display_name"), grants: grants, createdBy: try row("created_by"),
            createdAt: try row("created_at"))
    }
}

/// Why a grant set operation failed in the store.
public enum GrantSetStoreError: Error, Equatable, CustomStringConvertible {
    case notInserted
    case corruptRow(version: Int)

    public var description: String {
        switch self {
        case .notInserted: return "the grant set was not inserted"
        case .corruptRow(let version): return "grant set version \(version) holds grants this version cannot read"
        }
    }
}
