-- 0013: consent links are one-time invitations issued by staff (issue #14).
--
-- The permanent public /consent/{partner}/start link let anyone who had it start a consent at any
-- time, for any partner status. Now an operator issues an invitation for one partner and one
-- purpose (onboarding a pending partner, or re-consent of one that has a token): only the SHA-256
-- of its secret is stored, it expires (7 days by default), can be revoked, and the first consent
-- recorded through it uses it up. Disabling the partner revokes its open invitations.
CREATE TABLE consent_invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  uuid NOT NULL REFERENCES partners (id),
    purpose     text NOT NULL CHECK (purpose IN ('onboarding', 'reconsent')),
    secret_hash bytea NOT NULL UNIQUE,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by     text,
    revoked_at  timestamptz,
    revoked_by  text,
    CHECK (expires_at > created_at),
    CHECK (used_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX consent_invitations_partner ON consent_invitations (partner_id, created_at DESC);

-- Each sign-in in flight belongs to the invitation it was started from.
ALTER TABLE consent_requests ADD COLUMN invitation_id bigint REFERENCES consent_invitations (id);
CREATE INDEX consent_requests_invitation ON consent_requests (invitation_id);
-- Sign-ins started from the old permanent link (ten minutes of life at most) cannot finish now.
DELETE FROM consent_requests WHERE used_at IS NULL;
