-- Console sessions (issue #8): a staff member signs in to the HTML console with an API token and
-- gets a session cookie. Only a SHA-256 hash of the cookie's random value is stored, so a copy of
-- this table cannot be replayed as a cookie. A session ends at expires_at, at sign-out
-- (revoked_at), or when its staff token is revoked (checked on every request by joining
-- staff_tokens, so no trigger is needed).
CREATE TABLE console_sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_hash   bytea NOT NULL UNIQUE,
    staff_token_id bigint NOT NULL REFERENCES staff_tokens (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    CHECK (expires_at > created_at)
);

-- Sign-out everywhere for one token, and the housekeeping of expired rows.
CREATE INDEX console_sessions_token ON console_sessions (staff_token_id) WHERE revoked_at IS NULL;
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
