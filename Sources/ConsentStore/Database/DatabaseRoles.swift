import Logging
import PostgresNIO

/// The two database roles of a deployment (`cpv db roles`, docs/operations.md):
///
/// - the **owner** runs `cpv migrate` and owns the database, its schema and every object in it;
/// - the **application** role runs `cpv serve` and `cpv worker`: it reads and writes the tables,
///   but on the audit trail may only read and append (and move the chain head), reads the
///   migration ledger only, owns nothing, and so can neither rewrite an event nor disable the
///   triggers that guard them.
///
/// Applying is idempotent and safe to repeat after every upgrade: missing roles are created
/// (`LOGIN`, no password: set one with `\password` or use certificate/peer authentication),
/// objects not owned by the owner are handed to it, and the grants are put right. It must run as
/// a superuser (or a role with `CREATEROLE` that administers both roles), connected to the
/// service's database.
public struct DatabaseRoles: Sendable {
    public let owner: String
    public let application: String

    public init(owner: String, application: String) throws(DatabaseRolesError) {
        for name in [owner, application] where !Self.isValidName(name) {
            throw .invalidName(name)
        }
        guard owner != application else { throw .sameRole }
        self.owner = owner
        self.application = application
    }

    /// Lower-case letters, digits and `_`, starting with a letter or `_`, at most 63 bytes: a
    /// name PostgreSQL never needs to quote, so it reads the same in every tool.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, (1...63).contains(name.utf8.count), first == "_" || ("a"..."z").contains(first) else { return false }
        return name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    public func apply(client: PostgresClient, logger: Logger) async throws {
        try await client.inTransaction(logger: logger) { connection in
            // The names reach the script as transaction-local settings: bound values, never SQL text.
            try await connection.query(
                "SELECT set_config('cpv.roles.owner', \(owner), true), set_config('cpv.roles.app', \(application), true)",
                logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: Self.script), logger: logger)
        }
    }

    /// What is wrong with the separation for the role `client` connects as: empty when that role
    /// can only read and append to the audit trail. `cpv serve` and `cpv worker` log it at boot.
    public static func auditSeparationProblems(client: PostgresClient, logger: Logger) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT c.relname,
                   pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
                   has_table_privilege(current_user, c.oid, 'UPDATE') AS can_update,
                   has_table_privilege(current_user, c.oid, 'DELETE') AS can_delete,
                   has_table_privilege(current_user, c.oid, 'TRUNCATE') AS can_truncate,
                   has_table_privilege(current_user, c.oid, 'TRIGGER') AS can_trigger,
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser
            FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = 'audit_events'
            """, logger: logger)
        var problems: [String] = []
        for try await row in rows {
            let cells = NamedRow(row)
            let (owns, update, delete, truncate, trigger, superuser): (Bool, Bool, Bool, Bool, Bool, Bool) = (
                try cells("owns"), try cells("can_update"), try cells("can_delete"), try cells("can_truncate"),
                try cells("can_trigger"), try cells("superuser"))
            if superuser { problems.append("the service's database role is a superuser") }
            if owns { problems.append("the service's database role owns audit_events (it can disable its triggers)") }
            let extra = [("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate), ("TRIGGER", trigger)].filter(\.1).map(\.0)
            if !extra.isEmpty { problems.append("the service's database role may \(extra.joined(separator: ", ")) audit_events") }
        }
        return problems
    }

    /// Logs each problem of `auditSeparationProblems` as a warning (`cpv serve` and `cpv worker` at boot).
    public static func warnAboutAuditSeparation(client: PostgresClient, logger: Logger) async throws {
        for problem in try await auditSeparationProblems(client: client, logger: logger) {
            logger.warning(
                "\(problem): it could rewrite the audit trail; run serve and worker as the application role of `cpv db roles` (docs/audit.md)")
        }
    }

    /// Reads the role names from `cpv.roles.owner` / `cpv.roles.app`; identifiers are quoted with
    /// `format('%I')`. A compile-time constant: nothing from input is spliced into it.
    public static let script = """
        DO $roles$
        DECLARE
            owner_role text := current_setting('cpv.roles.owner');
            app_role text := current_setting('cpv.roles.app');
            role_name text;
            owner_oid oid;
            item record;
        BEGIN
            FOREACH role_name IN ARRAY ARRAY[owner_role, app_role] LOOP
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
                    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', role_name);
                END IF;
            END LOOP;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN (owner_role, app_role) AND (rolsuper OR rolbypassrls OR rolreplication)) THEN
                RAISE EXCEPTION 'the owner and the application role must not be superusers, replication roles or bypass row security'
                    USING ERRCODE = 'invalid_role_specification';
            END IF;
            IF pg_has_role(app_role, owner_role, 'MEMBER') THEN
                RAISE EXCEPTION 'the application role % is a member of the owner role %: it would hold the owner''s rights', app_role, owner_role
                    USING ERRCODE = 'invalid_role_specification';
            END IF;
            SELECT oid INTO owner_oid FROM pg_roles WHERE rolname = owner_role;

            -- The owner owns the database, its schema and everything in it (ownership is what
            -- lets a role alter a table or disable its triggers).
            EXECUTE format('ALTER DATABASE %I OWNER TO %I', current_database(), owner_role);
            EXECUTE format('ALTER SCHEMA public OWNER TO %I', owner_role);
            FOR item IN
                SELECT c.oid::regclass AS name FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> owner_oid
            LOOP
                EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, owner_role);
            END LOOP;
            FOR item IN
                SELECT c.oid::regclass AS name FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND c.relowner <> owner_oid
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
            LOOP
                EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', item.name, owner_role);
            END LOOP;
            FOR item IN
                SELECT p.oid::regprocedure AS name FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> owner_oid
            LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, owner_role);
            END LOOP;

            -- Only the two roles connect; nobody else creates objects in the schema.
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
            EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), app_role);
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', app_role);
            EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);

            -- What serve and worker need: the tables read and written, now and as migrations add them...
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
            EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owner_role, app_role);
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', owner_role, app_role);
            -- ...but the audit trail read and appended only, the ledger read only (migration 0010;
            -- on a database not migrated yet, 0010 applies the same when it runs).
            IF to_regprocedure('public.cpv_restrict_audit_privileges()') IS NOT NULL THEN
                PERFORM public.cpv_restrict_audit_privileges();
            END IF;
        END
        $roles$;
        """
}

/// Why `cpv db roles` refused to start. The database's own refusals come as `PSQLError`s.
public enum DatabaseRolesError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case sameRole

    public var description: String {
        switch self {
        case .invalidName(let name):
            return "\"\(name.prefix(70))\" is not a role name this command uses: 1-63 lower-case letters, digits or _, not starting with a digit"
        case .sameRole:
            return "the owner and the application role must be two different roles"
        }
    }
}
