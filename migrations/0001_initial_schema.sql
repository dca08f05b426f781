-- 0001: the tables of the architecture (docs/architecture.md). Later migrations add columns and
-- tables; this file never changes once applied (the runner checks its checksum).

-- Partners: one CSP partner tenant each, with its sealed refresh token.
CREATE TABLE partners (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id            uuid NOT NULL UNIQUE,
    display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 256),
    cloud                text NOT NULL CHECK (cloud IN ('global', 'usgov', 'china')),
    status               text NOT NULL DEFAULT 'pending_consent'
                         CHECK (status IN ('pending_consent', 'active', 'needs_reconsent', 'disabled')),
    status_reason        text,
    consented_by         text,
    consented_at         timestamptz,
    -- AES-256-GCM envelope (nonce || ciphertext || tag), associated data = partner id; never logged.
    refresh_token_sealed bytea,
    key_id               text,
    -- Compare-and-set guard: a rotated token is written only over the version it was redeemed from.
    token_version        bigint NOT NULL DEFAULT 0,
    last_redeemed_at     timestamptz,
    last_token_error     text,
    last_token_error_code text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partners_status ON partners (status);

-- Consent sign-ins in flight: the OAuth `state` (stored as a hash) and its PKCE verifier.
CREATE TABLE consent_requests (
    state_hash    bytea PRIMARY KEY,
    partner_id    uuid NOT NULL REFERENCES partners (id),
    code_verifier text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX consent_requests_expiry ON consent_requests (expires_at);

-- Customers of each partner, as last listed by Partner Center. Rows are never deleted:
-- a customer no longer listed gets removed_at.
CREATE TABLE customers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id    uuid NOT NULL REFERENCES partners (id),
    tenant_id     uuid NOT NULL,
    company_name  text NOT NULL,
    domain        text,
    relationship  text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    removed_at    timestamptz,
    UNIQUE (partner_id, tenant_id)
);
CREATE INDEX customers_tenant ON customers (tenant_id);

-- Desired state: versioned sets of grants. The newest version is the one to apply.
CREATE TABLE grant_sets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version        integer NOT NULL UNIQUE CHECK (version > 0),
    application_id uuid NOT NULL,
    display_name   text NOT NULL,
    grants         jsonb NOT NULL,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Observed consent state per customer (the state machine in ConsentDomain).
CREATE TABLE customer_consents (
    customer_id       bigint PRIMARY KEY REFERENCES customers (id),
    state             text NOT NULL DEFAULT 'unknown'
                      CHECK (state IN ('unknown', 'granting', 'granted', 'failed', 'missing', 'blocked', 'revoked')),
    grant_set_version integer,
    last_attempt_at   timestamptz,
    last_success_at   timestamptz,
    last_error_code   text,
    last_error        text,
    attempts          integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_consents_state ON customer_consents (state);

-- Re-grant (or revoke) runs and their per-customer tasks.
CREATE TABLE runs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    action            text NOT NULL DEFAULT 'grant' CHECK (action IN ('grant', 'revoke')),
    scope             jsonb NOT NULL,
    grant_set_version integer,
    dry_run           boolean NOT NULL DEFAULT false,
    max_concurrency   integer CHECK (max_concurrency > 0),
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'paused', 'cancelled', 'completed')),
    requested_by      text NOT NULL,
    total_tasks       integer NOT NULL DEFAULT 0,
    counts            jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz
);
CREATE INDEX runs_status ON runs (status, created_at);

CREATE TABLE run_tasks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id           uuid NOT NULL REFERENCES runs (id),
    customer_id      bigint NOT NULL REFERENCES customers (id),
    partner_id       uuid NOT NULL REFERENCES partners (id),
    -- Higher first: customers left without any consent (`missing`) are scheduled before the rest.
    priority         smallint NOT NULL DEFAULT 0,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'leased', 'succeeded', 'failed', 'skipped', 'cancelled', 'blocked')),
    attempts         integer NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error_code  text,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (run_id, customer_id)
);
-- The claim query: pending tasks by priority then due time, skipping locked rows.
CREATE INDEX run_tasks_claimable ON run_tasks (priority DESC, next_attempt_at, id) WHERE status = 'pending';
-- The rescuer: leases that expired.
CREATE INDEX run_tasks_leases ON run_tasks (lease_expires_at) WHERE status = 'leased';
CREATE INDEX run_tasks_run_status ON run_tasks (run_id, status);
CREATE INDEX run_tasks_customer ON run_tasks (customer_id);

-- The audit trail: append-only, hash-chained. `seq` is the chain position, taken under the lock of
-- audit_chain_head inside the inserting transaction (a bigserial alone gives false breaks under
-- concurrency, because ids are handed out before commit order is known).
CREATE TABLE audit_events (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq               bigint NOT NULL UNIQUE,
    occurred_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor             text NOT NULL,
    action            text NOT NULL,
    partner_id        uuid,
    customer_id       bigint,
    run_id            uuid,
    task_id           bigint,
    http_method       text,
    url_path          text,
    request_body      jsonb,
    response_status   integer,
    response_body     text,
    ms_request_id     uuid,
    ms_correlation_id uuid,
    error_code        text,
    duration_ms       integer,
    details           jsonb,
    prev_hash         bytea NOT NULL,
    hash              bytea NOT NULL
);
CREATE INDEX audit_events_customer ON audit_events (customer_id, seq) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_events_partner ON audit_events (partner_id, seq) WHERE partner_id IS NOT NULL;
CREATE INDEX audit_events_run ON audit_events (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_time ON audit_events (occurred_at);

CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq  bigint NOT NULL,
    last_hash bytea NOT NULL
);
INSERT INTO audit_chain_head (singleton, last_seq, last_hash) VALUES (true, 0, '\x'::bytea);

CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();
-- Row triggers do not fire on TRUNCATE: a statement trigger is needed for that.
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();

-- Staff API tokens: only a SHA-256 hash is stored; the prefix identifies a token in lists.
CREATE TABLE staff_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    token_prefix text NOT NULL UNIQUE,
    token_hash   bytea NOT NULL UNIQUE,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
