import Logging
import PostgresNIO

/// `runs`: run history, newest first — created in the last `days` days, at most 500 — with each
/// run's duration, throughput and outcomes.
///
/// `duration_seconds` runs from `started_at` to `finished_at` (to now while unfinished);
/// `customers_per_second` counts the customers actually called (succeeded + failed) over that
/// duration; the outcome columns count tasks by status (`succeeded` means granted for a grant
/// run, revoked for a revoke run; `unfinished` is pending + leased).
///
/// Index: `runs_created (created_at DESC, id)` (migration 0008) picks the newest runs. The outcome
/// counts come from `run_task_counts` (0008), kept by statement triggers on `run_tasks`: counting a
/// million-task run's tasks on every request does not fit the report's 200 ms budget.
public enum RunsReport {
    public static let defaultDays = 30
    public static let maxRuns = 500

    public static func run(days: Int, client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "runs",
            """
            WITH recent AS (
                SELECT id, action, status, dry_run, requested_by, grant_set_version, total_tasks,
                       created_at, started_at, finished_at
                FROM runs
                WHERE created_at >= now() - make_interval(days => \(days)::integer)
                ORDER BY created_at DESC, id
                LIMIT \(Int64(maxRuns))
            ), outcomes AS (
                SELECT k.run_id,
                       sum(k.tasks) FILTER (WHERE k.status = 'succeeded')::bigint AS succeeded,
                       sum(k.tasks) FILTER (WHERE k.status = 'failed')::bigint AS failed,
                       sum(k.tasks) FILTER (WHERE k.status = 'blocked')::bigint AS blocked,
                       sum(k.tasks) FILTER (WHERE k.status = 'cancelled')::bigint AS cancelled,
                       sum(k.tasks) FILTER (WHERE k.status = 'skipped')::bigint AS skipped,
                       sum(k.tasks) FILTER (WHERE k.status IN ('pending', 'leased'))::bigint AS unfinished
                FROM run_task_counts k
                WHERE k.run_id IN (SELECT id FROM recent)
                GROUP BY k.run_id
            )
            SELECT r.id AS run_id, r.action, r.status, r.dry_run::text AS dry_run, r.requested_by,
                   r.grant_set_version::bigint AS grant_set_version, r.total_tasks::bigint AS total_tasks,
                   r.created_at, r.started_at, r.finished_at,
                   round(extract(epoch FROM coalesce(r.finished_at, now()) - r.started_at), 1)::float8 AS duration_seconds,
                   coalesce(o.succeeded, 0) AS succeeded, coalesce(o.failed, 0) AS failed,
                   coalesce(o.blocked, 0) AS blocked, coalesce(o.cancelled, 0) AS cancelled,
                   coalesce(o.skipped, 0) AS skipped, coalesce(o.unfinished, 0) AS unfinished,
                   round((coalesce(o.succeeded, 0) + coalesce(o.failed, 0))
                         / NULLIF(extract(epoch FROM coalesce(r.finished_at, now()) - r.started_at), 0), 2)::float8
                       AS customers_per_second
            FROM recent r
            LEFT JOIN outcomes o ON o.run_id = r.id
            ORDER BY r.created_at DESC, r.id
            """,
            columns: [
                .uuid("run_id"), .text("action"), .text("status"), .text("dry_run"), .text("requested_by"),
                .integer("grant_set_version"), .integer("total_tasks"), .timestamp("created_at"), .timestamp("started_at"),
                .timestamp("finished_at"), .decimal("duration_seconds"), .integer("succeeded"), .integer("failed"),
                .integer("blocked"), .integer("cancelled"), .integer("skipped"), .integer("unfinished"),
                .decimal("customers_per_second"),
            ], logger: logger)
    }
}
