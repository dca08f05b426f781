-- 0012: a grant set is published by two people (issue #14): one admin proposes, another approves.
--
-- A proposal holds the full desired grant set. Approving it publishes the next grant_sets version
-- in the same transaction; rejecting (or the proposer withdrawing) closes it. One proposal is open
-- at a time, so an approver always judges the change against what is current.
CREATE TABLE grant_set_proposals (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id    uuid NOT NULL,
    display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 256),
    grants            jsonb NOT NULL,
    -- The version that was current when it was proposed (NULL before the first).
    base_version      integer,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    proposed_by       text NOT NULL,
    proposed_by_token bigint NOT NULL REFERENCES staff_tokens (id),
    proposed_by_name  text NOT NULL,
    proposed_at       timestamptz NOT NULL DEFAULT now(),
    decided_by        text,
    decided_at        timestamptz,
    decision_reason   text,
    published_version integer,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX grant_set_proposals_one_open ON grant_set_proposals ((true)) WHERE status = 'pending';
CREATE INDEX grant_set_proposals_recent ON grant_set_proposals (proposed_at DESC);
