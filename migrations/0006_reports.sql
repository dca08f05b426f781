-- Indexes of the reports (Sources/ConsentStore/Reports/): each names the report that needs it.
-- Partial indexes hold only the rows a report reads, so they stay small next to a million customers.

-- missing-consent: only `missing` rows, already in report order.
CREATE INDEX customer_consents_missing ON customer_consents (last_attempt_at, customer_id) WHERE state = 'missing';

-- failures: only `failed` rows, grouped by code.
CREATE INDEX customer_consents_failed ON customer_consents (last_error_code, last_attempt_at) WHERE state = 'failed';

-- stale: the age test on the last success.
CREATE INDEX customer_consents_success ON customer_consents (last_success_at, customer_id) WHERE last_success_at IS NOT NULL;

-- consent-coverage and stale: state and grant set version together (the older-grant-set arm).
CREATE INDEX customer_consents_state_version ON customer_consents (state, grant_set_version);

-- audit-export: a time range in chain order.
CREATE INDEX audit_events_time_seq ON audit_events (occurred_at, seq);
