-- 0009: flow control that holds Partner Center's limit under any limiter (issue #13).

-- Taken first, in the order the workers take theirs, so a running worker waits for this migration
-- instead of deadlocking with it (see 0008).
LOCK TABLE run_tasks IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE rate_buckets IN ACCESS EXCLUSIVE MODE;

-- rate_buckets becomes a virtual schedule (the generic cell rate algorithm, ConsentDomain's
-- SlotSchedule): `next_at` is the theoretical arrival time of the next call; each reservation
-- advances it by one interval at the current `rate`, and a slot comes at most (burst - 1) / ceiling
-- seconds before it. A token bucket whose rate changes could squeeze slots already promised at a
-- lower rate together with new ones; this schedule cannot, so no window of w seconds ever holds
-- more than floor(ceiling_rate * w) + burst slots.
ALTER TABLE rate_buckets DROP COLUMN tokens;
ALTER TABLE rate_buckets RENAME COLUMN capacity TO burst;
ALTER TABLE rate_buckets
    ADD COLUMN next_at timestamptz,
    -- The adaptive controller (ConsentDomain's RateController) as JSON, for keys that adapt
    -- (the consent budget); NULL for fixed budgets (customer listings).
    ADD COLUMN controller jsonb,
    -- Windows of slots before this instant have been evaluated by the controller.
    ADD COLUMN evaluated_through timestamptz;

-- What each window of slots saw once answered, summed over every process until the controller
-- evaluates it (once per window, a few hundred milliseconds after its calls were answered).
CREATE TABLE rate_windows (
    key             text NOT NULL REFERENCES rate_buckets (key) ON DELETE CASCADE,
    window_start    timestamptz NOT NULL,
    calls           integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
    throttled       integer NOT NULL DEFAULT 0 CHECK (throttled >= 0),
    max_retry_after double precision,
    PRIMARY KEY (key, window_start)
);

-- Why a failed task failed (ConsentDomain's FailureClass): transient ones were retried,
-- customer-level ones failed at once, partner-level ones blocked the partner's tasks.
ALTER TABLE run_tasks ADD COLUMN failure_class text
    CHECK (failure_class IN ('transient', 'customer', 'partner', 'internal'));
