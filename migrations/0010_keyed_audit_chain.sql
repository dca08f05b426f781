-- 0010: the audit chain is keyed and hashed outside the database (issue #14, docs/audit.md).
--
-- Until now audit_append() computed an unkeyed SHA-256 chain inside PostgreSQL, so whoever owned
-- the database could disable the triggers, edit a row, recompute every later hash (or replace the
-- very function the verifier called) and the verifier would still say "intact". From here on the
-- service computes each hash itself, as an HMAC with a key kept outside the database
-- (CPV_AUDIT_KEYS), and records which key in key_id; the verifier recomputes every hash in Swift.
-- Rows written before this migration keep key_id NULL and their unkeyed hashes: the verifier
-- accepts them only before the first keyed row (and, with CPV_AUDIT_UNKEYED_EVENTS, only as many
-- as there were).

ALTER TABLE audit_events ADD COLUMN key_id text;

-- Nothing may append an unkeyed event any more, and nothing may verify with the database's help.
DROP FUNCTION audit_append(
    text, text, uuid, bigint, uuid, bigint, text, text, jsonb, integer, text, uuid, uuid, text, integer, jsonb);
DROP FUNCTION audit_canonical(audit_events);

-- Separation of duties (docs/audit.md, `cpv db roles`): roles other than the owner of the audit
-- tables may read and append to the trail and move its head, nothing else; the migration ledger
-- is theirs to read only. Role names differ between installations, so this strips by privilege
-- whatever the grantee, including grants that default privileges gave a role when 0001 created
-- these tables. Ownership is what lets a role alter a table or disable its triggers: the service's
-- role must never own them (`cpv db roles` checks). Called again by `cpv db roles`.
CREATE FUNCTION cpv_restrict_audit_privileges() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname, a.grantee, a.privilege_type
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relname IN ('audit_events', 'audit_chain_head', 'schema_migrations')
          AND a.grantee <> c.relowner
          AND NOT (c.relname = 'audit_events' AND a.privilege_type IN ('SELECT', 'INSERT'))
          AND NOT (c.relname = 'audit_chain_head' AND a.privilege_type IN ('SELECT', 'UPDATE'))
          AND NOT (c.relname = 'schema_migrations' AND a.privilege_type = 'SELECT')
    LOOP
        EXECUTE format('REVOKE %s ON TABLE %I FROM %s', item.privilege_type, item.relname,
            CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(item.grantee)) END);
    END LOOP;
    -- Column grants live apart from the table's: an UPDATE on one column is an UPDATE all the same.
    FOR item IN
        SELECT c.relname, t.attname, a.grantee, a.privilege_type
        FROM pg_class c
        JOIN pg_attribute t ON t.attrelid = c.oid AND t.attacl IS NOT NULL
        CROSS JOIN LATERAL aclexplode(t.attacl) a
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relname IN ('audit_events', 'schema_migrations')
          AND a.grantee <> c.relowner AND a.privilege_type IN ('UPDATE', 'REFERENCES')
    LOOP
        EXECUTE format('REVOKE %s (%I) ON TABLE %I FROM %s', item.privilege_type, item.attname, item.relname,
            CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(item.grantee)) END);
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION cpv_restrict_audit_privileges() FROM PUBLIC;
SELECT cpv_restrict_audit_privileges();
