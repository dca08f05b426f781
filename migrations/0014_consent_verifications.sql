-- 0014: verify-first reconcile (issue #16).
--
-- A reconcile run reads each customer tenant through Microsoft Graph before it spends any of
-- Partner Center's consent budget: where the tenant already holds exactly the grant set, no call
-- is made. What the last reading found is kept per customer, with the time it was read, so that
-- "verified" always says when, and "unknown" (could not read) is never shown as fine.
ALTER TABLE runs DROP CONSTRAINT runs_action_check;
ALTER TABLE runs ADD CONSTRAINT runs_action_check CHECK (action IN ('grant', 'revoke', 'reconcile'));

CREATE TABLE consent_verifications (
    customer_id       bigint PRIMARY KEY REFERENCES customers (id),
    state             text NOT NULL CHECK (state IN ('verified', 'drifted', 'missing', 'unknown')),
    checked_at        timestamptz NOT NULL,
    -- [{applicationId, missingScopes, extraScopes}] per resource that differs (drifted only).
    resources         jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- Why missing or unknown, and a stable code for it (e.g. no_service_principal, graph_429).
    reason            text,
    code              text,
    -- Our service principal's object id in the tenant, when it was found.
    service_principal_id text,
    grant_set_version integer,
    -- The last reading that could be made (unknown keeps the one before it).
    last_known_state  text CHECK (last_known_state IN ('verified', 'drifted', 'missing')),
    last_known_at     timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- The drift report: drifted and unknown customers, newest first.
CREATE INDEX consent_verifications_attention ON consent_verifications (state, checked_at DESC)
    WHERE state IN ('drifted', 'unknown', 'missing');
