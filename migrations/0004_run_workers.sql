-- 0004: what durable runs need beyond 0001's runs and run_tasks.

-- The run's current rate ("tasks finished in the last minute") without scanning every task.
CREATE INDEX run_tasks_finished ON run_tasks (run_id, finished_at) WHERE finished_at IS NOT NULL;

-- "Is this customer already in an unfinished run?" when creating a run: by customer, unfinished only.
CREATE INDEX run_tasks_open_customer ON run_tasks (customer_id) WHERE status IN ('pending', 'leased', 'blocked');
