-- 0005: rate budgets shared by every process (the consent budget per application id).

-- One token bucket per key. Reservations take a token with one atomic UPDATE ... RETURNING and may
-- drive `tokens` below zero: the debt is the queue of callers already promised a later slot, each
-- waiting (-tokens / rate) seconds. A 429 sets `blocked_until` (Retry-After), halves `rate`, and
-- pushes the debt past the block so nobody leaves before it has passed.
CREATE TABLE rate_buckets (
    key           text PRIMARY KEY,
    tokens        double precision NOT NULL,
    rate          double precision NOT NULL CHECK (rate > 0),
    capacity      double precision NOT NULL CHECK (capacity > 0),
    -- The configured limit: additive increase never climbs above it.
    ceiling_rate  double precision NOT NULL CHECK (ceiling_rate > 0),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    blocked_until timestamptz
);
