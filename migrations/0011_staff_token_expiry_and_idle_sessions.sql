-- 0011: staff credentials end (issue #14, ASVS 7.3).
--
-- Staff tokens expire: 90 days unless their creator chooses otherwise (1 to 365 days). Tokens made
-- before this migration get 90 days from now, so nobody is locked out by the upgrade.
ALTER TABLE staff_tokens ADD COLUMN expires_at timestamptz;
UPDATE staff_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE staff_tokens ALTER COLUMN expires_at SET NOT NULL;

-- A name identifies one live token (the audit actor adds the token id): two tokens that are not
-- revoked cannot share a name, case-insensitively. Duplicates from before get their id appended.
UPDATE staff_tokens t SET name = left(t.name, 100) || ' #' || t.id
WHERE t.revoked_at IS NULL
  AND EXISTS (SELECT 1 FROM staff_tokens o WHERE o.revoked_at IS NULL AND lower(o.name) = lower(t.name) AND o.id < t.id);
CREATE UNIQUE INDEX staff_tokens_live_name ON staff_tokens (lower(name)) WHERE revoked_at IS NULL;

-- Console sessions end after a spell of inactivity (CPV_CONSOLE_IDLE_MINUTES) as well as at
-- their absolute expiry: each request a person makes moves last_seen_at.
ALTER TABLE console_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
