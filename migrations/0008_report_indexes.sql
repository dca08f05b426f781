-- 0008: what the reports need at a million customers, millions of audit events and million-task
-- runs (ops/benchmarks/reports-at-scale measures them). Each object names the report that needs it.

-- Every lock this migration needs, taken first and in the order the run workers and the sync take
-- theirs (runs, run_tasks, then partners, customers and their consents): a worker already running
-- against the database waits for the migration to commit instead of deadlocking with it halfway
-- (seen when `cpv serve --migrate` migrates while its own services poll).
LOCK TABLE runs, run_tasks, partners, customers IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE customer_consents IN ACCESS EXCLUSIVE MODE;

-- runs: the newest runs first.
CREATE INDEX runs_created ON runs (created_at DESC, id);

-- consent-coverage and failures: present customers per partner, consent state, grant set version
-- and (failed only) error code, kept by statement triggers on customers and customer_consents.
-- Why a summary: both reports aggregate every present customer, and no index makes that fit their
-- 200 ms budget (measured at 1M customers: consent-coverage about 4 s; failures, grouping 80,000
-- failed customers, about 1 s); the counters make both a read of a few thousand rows. A customer
-- without a consent row counts as ('unknown', 0, '').
-- Statement triggers with transition tables add one grouped upsert per statement, not per row;
-- a statement that changes no counted column adds nothing. Counters are upserted in key order so
-- two statements that touch the same counters wait for each other instead of deadlocking.
CREATE TABLE consent_coverage_counts (
    partner_id        uuid NOT NULL REFERENCES partners (id),
    state             text NOT NULL,
    grant_set_version integer NOT NULL,
    -- The failed customers' Partner Center / AADSTS code ('' when none, and for other states).
    error_code        text NOT NULL,
    customers         bigint NOT NULL,
    PRIMARY KEY (partner_id, state, grant_set_version, error_code)
);

INSERT INTO consent_coverage_counts (partner_id, state, grant_set_version, error_code, customers)
SELECT c.partner_id, coalesce(cc.state, 'unknown'), coalesce(cc.grant_set_version, 0), CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END, count(*)
FROM customers c
LEFT JOIN customer_consents cc ON cc.customer_id = c.id
WHERE c.removed_at IS NULL
GROUP BY 1, 2, 3, 4;

CREATE FUNCTION consent_coverage_from_consents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT partner_id, state, version, code, sum(delta) FROM (
            SELECT c.partner_id, 'unknown' AS state, 0 AS version, '' AS code, -1 AS delta
            FROM new_rows n JOIN customers c ON c.id = n.customer_id AND c.removed_at IS NULL
            UNION ALL
            SELECT c.partner_id, n.state, coalesce(n.grant_set_version, 0), CASE WHEN n.state = 'failed' THEN coalesce(n.last_error_code, '') ELSE '' END, 1
            FROM new_rows n JOIN customers c ON c.id = n.customer_id AND c.removed_at IS NULL
        ) d GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT partner_id, state, version, code, sum(delta) FROM (
            SELECT c.partner_id, o.state, coalesce(o.grant_set_version, 0) AS version, CASE WHEN o.state = 'failed' THEN coalesce(o.last_error_code, '') ELSE '' END AS code, -1 AS delta
            FROM old_rows o JOIN new_rows n ON n.customer_id = o.customer_id
            JOIN customers c ON c.id = o.customer_id AND c.removed_at IS NULL
            WHERE o.state <> n.state OR o.grant_set_version IS DISTINCT FROM n.grant_set_version
               OR o.last_error_code IS DISTINCT FROM n.last_error_code
            UNION ALL
            SELECT c.partner_id, n.state, coalesce(n.grant_set_version, 0), CASE WHEN n.state = 'failed' THEN coalesce(n.last_error_code, '') ELSE '' END, 1
            FROM old_rows o JOIN new_rows n ON n.customer_id = o.customer_id
            JOIN customers c ON c.id = n.customer_id AND c.removed_at IS NULL
            WHERE o.state <> n.state OR o.grant_set_version IS DISTINCT FROM n.grant_set_version
               OR o.last_error_code IS DISTINCT FROM n.last_error_code
        ) d GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    ELSE
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT partner_id, state, version, code, sum(delta) FROM (
            SELECT c.partner_id, o.state, coalesce(o.grant_set_version, 0) AS version, CASE WHEN o.state = 'failed' THEN coalesce(o.last_error_code, '') ELSE '' END AS code, -1 AS delta
            FROM old_rows o JOIN customers c ON c.id = o.customer_id AND c.removed_at IS NULL
            UNION ALL
            SELECT c.partner_id, 'unknown', 0, '', 1
            FROM old_rows o JOIN customers c ON c.id = o.customer_id AND c.removed_at IS NULL
        ) d GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER consent_coverage_consents_insert AFTER INSERT ON customer_consents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_consents();
CREATE TRIGGER consent_coverage_consents_update AFTER UPDATE ON customer_consents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_consents();
CREATE TRIGGER consent_coverage_consents_delete AFTER DELETE ON customer_consents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_consents();

CREATE FUNCTION consent_coverage_from_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT n.partner_id, coalesce(cc.state, 'unknown'), coalesce(cc.grant_set_version, 0), CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END, count(*)
        FROM new_rows n LEFT JOIN customer_consents cc ON cc.customer_id = n.id
        WHERE n.removed_at IS NULL
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    ELSIF TG_OP = 'UPDATE' THEN
        -- A sync updates every customer it lists (last_seen_at); only a move between partners or
        -- a removal or return changes the counts.
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT partner_id, state, version, code, sum(delta) FROM (
            SELECT o.partner_id, coalesce(cc.state, 'unknown') AS state, coalesce(cc.grant_set_version, 0) AS version,
                   CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END AS code, -1 AS delta
            FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN customer_consents cc ON cc.customer_id = o.id
            WHERE o.removed_at IS NULL
              AND (o.partner_id <> n.partner_id OR n.removed_at IS NOT NULL)
            UNION ALL
            SELECT n.partner_id, coalesce(cc.state, 'unknown'), coalesce(cc.grant_set_version, 0), CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END, 1
            FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN customer_consents cc ON cc.customer_id = n.id
            WHERE n.removed_at IS NULL
              AND (o.partner_id <> n.partner_id OR o.removed_at IS NOT NULL)
        ) d GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    ELSE
        INSERT INTO consent_coverage_counts AS k (partner_id, state, grant_set_version, error_code, customers)
        SELECT o.partner_id, coalesce(cc.state, 'unknown'), coalesce(cc.grant_set_version, 0), CASE WHEN cc.state = 'failed' THEN coalesce(cc.last_error_code, '') ELSE '' END, -count(*)
        FROM old_rows o LEFT JOIN customer_consents cc ON cc.customer_id = o.id
        WHERE o.removed_at IS NULL
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (partner_id, state, grant_set_version, error_code) DO UPDATE SET customers = k.customers + excluded.customers;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER consent_coverage_customers_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_customers();
CREATE TRIGGER consent_coverage_customers_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_customers();
CREATE TRIGGER consent_coverage_customers_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION consent_coverage_from_customers();

-- missing-consent: its order is last_attempt_at NULLS FIRST, which 0006's index (NULLS LAST) cannot
-- give without sorting every missing customer; this one hands the first rows out in order.
CREATE INDEX customer_consents_missing_order ON customer_consents (last_attempt_at NULLS FIRST, customer_id)
    WHERE state = 'missing';
DROP INDEX customer_consents_missing;

-- failures: the latest example of each code, read in order from the index.
CREATE INDEX customer_consents_failed_latest ON customer_consents (last_error_code, last_attempt_at DESC NULLS LAST, customer_id)
    WHERE state = 'failed';
DROP INDEX customer_consents_failed;

-- runs: tasks per run and status, kept the same way. Why a summary: a run over every customer has
-- a million tasks, and counting them by status takes about 1 s even from the covering index
-- run_tasks_run_status; the report lists up to 500 runs. A worker's status change adds one grouped
-- upsert of the run's two counters to its statement.
CREATE TABLE run_task_counts (
    run_id uuid NOT NULL REFERENCES runs (id),
    status text NOT NULL,
    tasks  bigint NOT NULL,
    PRIMARY KEY (run_id, status)
);

INSERT INTO run_task_counts (run_id, status, tasks)
SELECT run_id, status, count(*) FROM run_tasks GROUP BY 1, 2;

CREATE FUNCTION run_task_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO run_task_counts AS k (run_id, status, tasks)
        SELECT run_id, status, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (run_id, status) DO UPDATE SET tasks = k.tasks + excluded.tasks;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO run_task_counts AS k (run_id, status, tasks)
        SELECT run_id, status, sum(delta) FROM (
            SELECT o.run_id, o.status, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status <> n.status OR o.run_id <> n.run_id
            UNION ALL
            SELECT n.run_id, n.status, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status <> n.status OR o.run_id <> n.run_id
        ) d GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
        ON CONFLICT (run_id, status) DO UPDATE SET tasks = k.tasks + excluded.tasks;
    ELSE
        INSERT INTO run_task_counts AS k (run_id, status, tasks)
        SELECT run_id, status, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (run_id, status) DO UPDATE SET tasks = k.tasks + excluded.tasks;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER run_task_counts_insert AFTER INSERT ON run_tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_task_counts_changed();
CREATE TRIGGER run_task_counts_update AFTER UPDATE ON run_tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_task_counts_changed();
CREATE TRIGGER run_task_counts_delete AFTER DELETE ON run_tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION run_task_counts_changed();
