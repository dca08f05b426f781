-- 0002: the audit trail's hash chain, computed inside the database.
--
-- audit_append() takes the chain head under a row lock, so chain positions follow commit order
-- (ordering by a bigserial alone gives false breaks when transactions commit out of id order).
-- The canonical content is the row as jsonb text, which PostgreSQL renders deterministically;
-- audit_canonical() is used both to write and to verify, so the two cannot drift apart.

CREATE FUNCTION audit_canonical(e audit_events) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'seq', e.seq,
        'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', e.actor,
        'action', e.action,
        'partner_id', e.partner_id,
        'customer_id', e.customer_id,
        'run_id', e.run_id,
        'task_id', e.task_id,
        'http_method', e.http_method,
        'url_path', e.url_path,
        'request_body', e.request_body,
        'response_status', e.response_status,
        'response_body', e.response_body,
        'ms_request_id', e.ms_request_id,
        'ms_correlation_id', e.ms_correlation_id,
        'error_code', e.error_code,
        'duration_ms', e.duration_ms,
        'details', e.details
    )::text
$$;

CREATE FUNCTION audit_append(
    p_actor text, p_action text, p_partner_id uuid, p_customer_id bigint, p_run_id uuid, p_task_id bigint,
    p_http_method text, p_url_path text, p_request_body jsonb, p_response_status integer, p_response_body text,
    p_ms_request_id uuid, p_ms_correlation_id uuid, p_error_code text, p_duration_ms integer, p_details jsonb
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head;
    event audit_events;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE singleton FOR UPDATE;
    event.seq := head.last_seq + 1;
    -- Microsecond precision is what timestamptz stores: hash what will be read back.
    event.occurred_at := date_trunc('microseconds', clock_timestamp());
    event.actor := p_actor;
    event.action := p_action;
    event.partner_id := p_partner_id;
    event.customer_id := p_customer_id;
    event.run_id := p_run_id;
    event.task_id := p_task_id;
    event.http_method := p_http_method;
    event.url_path := p_url_path;
    event.request_body := p_request_body;
    event.response_status := p_response_status;
    event.response_body := p_response_body;
    event.ms_request_id := p_ms_request_id;
    event.ms_correlation_id := p_ms_correlation_id;
    event.error_code := p_error_code;
    event.duration_ms := p_duration_ms;
    event.details := p_details;
    event.prev_hash := head.last_hash;
    event.hash := sha256(head.last_hash || convert_to(audit_canonical(event), 'UTF8'));
    INSERT INTO audit_events (
        seq, occurred_at, actor, action, partner_id, customer_id, run_id, task_id, http_method, url_path,
        request_body, response_status, response_body, ms_request_id, ms_correlation_id, error_code,
        duration_ms, details, prev_hash, hash)
    VALUES (
        event.seq, event.occurred_at, event.actor, event.action, event.partner_id, event.customer_id,
        event.run_id, event.task_id, event.http_method, event.url_path, event.request_body,
        event.response_status, event.response_body, event.ms_request_id, event.ms_correlation_id,
        event.error_code, event.duration_ms, event.details, event.prev_hash, event.hash);
    UPDATE audit_chain_head SET last_seq = event.seq, last_hash = event.hash WHERE singleton;
    RETURN event.seq;
END;
$$;
