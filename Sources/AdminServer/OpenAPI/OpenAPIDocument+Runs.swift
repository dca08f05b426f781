/// The durable-run routes (`Routes/RunRoutes.swift`, docs/runs.md) and their schemas. `runPaths`
/// continues the document's `paths` block; `runSchemas` continues `components.schemas`, its last key.
extension OpenAPIDocument {
    static let runPaths = #"""
          /api/v1/runs:
            get:
              summary: The 50 most recent runs, newest first (viewer)
              responses:
                "200":
                  description: runs
                  content:
                    application/json:
                      schema: {type: object, required: [runs], properties: {runs: {type: array, items: {$ref: "#/components/schemas/Run"}}}}
                default: {$ref: "#/components/responses/Error"}
            post:
              summary: Creates a run over a scope (operator; a revoke run needs admin and confirm = revoke)
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [scope]
                      properties:
                        scope: {$ref: "#/components/schemas/RunScope"}
                        dryRun: {type: boolean}
                        maxConcurrency: {type: integer, minimum: 1, maximum: 10000}
                        action: {type: string, enum: [grant, revoke]}
                        confirm: {type: string}
              responses:
                "201": {description: the run and what it planned, content: {application/json: {schema: {$ref: "#/components/schemas/RunPlan"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/runs/{id}:
            get:
              summary: A run with task counts, rate, ETA and failures by code (viewer)
              parameters: [{$ref: "#/components/parameters/RunId"}]
              responses:
                "200": {description: the run's progress, content: {application/json: {schema: {$ref: "#/components/schemas/RunProgress"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/runs/{id}/tasks:
            get:
              summary: The run's tasks (at most 500), in claim order, optionally of one status (viewer)
              parameters:
                - {$ref: "#/components/parameters/RunId"}
                - {name: status, in: query, schema: {$ref: "#/components/schemas/RunTaskStatus"}}
              responses:
                "200":
                  description: tasks
                  content:
                    application/json:
                      schema: {type: object, required: [tasks], properties: {tasks: {type: array, items: {$ref: "#/components/schemas/RunTask"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/runs/{id}/pause:
            post:
              summary: Pauses a queued or running run (operator; 409 illegal_run_transition otherwise)
              parameters: [{$ref: "#/components/parameters/RunId"}]
              responses:
                "200": {description: the run, content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/runs/{id}/resume:
            post:
              summary: Resumes a paused run (operator; 409 illegal_run_transition otherwise)
              parameters: [{$ref: "#/components/parameters/RunId"}]
              responses:
                "200": {description: the run, content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/runs/{id}/cancel:
            post:
              summary: Cancels a run and its unleased unfinished tasks (operator; 409 illegal_run_transition when finished)
              parameters: [{$ref: "#/components/parameters/RunId"}]
              responses:
                "200": {description: the run, content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}
                default: {$ref: "#/components/responses/Error"}

        """#

    static let runSchemas = #"""
            RunScope:
              description: exactly one key
              oneOf:
                - {type: object, additionalProperties: false, required: [all], properties: {all: {const: true}}}
                - {type: object, additionalProperties: false, required: [drift], properties: {drift: {const: true}}}
                - {type: object, additionalProperties: false, required: [partnerIds], properties: {partnerIds: {type: array, minItems: 1, items: {type: string, format: uuid}}}}
                - {type: object, additionalProperties: false, required: [customerIds], properties: {customerIds: {type: array, minItems: 1, items: {type: integer}}}}
                - {type: object, additionalProperties: false, required: [states], properties: {states: {type: array, minItems: 1, items: {$ref: "#/components/schemas/ConsentState"}}}}
              example: {partnerIds: [6f1c2f4e-0000-4000-8000-00000000dead]}
            RunStatus: {type: string, enum: [queued, running, paused, cancelled, completed]}
            RunTaskStatus: {type: string, enum: [pending, leased, succeeded, failed, skipped, cancelled, blocked]}
            Run:
              type: object
              required: [id, action, scope, dryRun, status, requestedBy, totalTasks, createdAt]
              properties:
                id: {type: string, format: uuid}
                action: {type: string, enum: [grant, revoke]}
                scope: {$ref: "#/components/schemas/RunScope"}
                grantSetVersion: {type: integer}
                dryRun: {type: boolean}
                maxConcurrency: {type: integer}
                status: {$ref: "#/components/schemas/RunStatus"}
                requestedBy: {type: string}
                totalTasks: {type: integer}
                createdAt: {type: string, format: date-time}
                startedAt: {type: string, format: date-time}
                finishedAt: {type: string, format: date-time}
              example:
                id: 0b7d6a52-0000-4000-8000-000000000001
                action: grant
                scope: {all: true}
                grantSetVersion: 2
                dryRun: false
                status: running
                requestedBy: "staff:alice"
                totalTasks: 1200
                createdAt: "2026-01-01T00:00:00Z"
                startedAt: "2026-01-01T00:00:01Z"
            RunPlan:
              type: object
              required: [run, planned, blocked, missing]
              properties:
                run: {$ref: "#/components/schemas/Run"}
                planned: {type: integer}
                blocked: {type: integer}
                missing: {type: integer}
            RunProgress:
              type: object
              required: [run, counts, ratePerSecond, failures]
              properties:
                run: {$ref: "#/components/schemas/Run"}
                counts: {type: object, additionalProperties: {type: integer}}
                ratePerSecond: {type: number}
                etaSeconds: {type: number}
                failures: {type: object, additionalProperties: {type: integer}}
                failureClasses: {type: object, additionalProperties: {type: integer}, description: "failed and blocked tasks by failure class: transient, customer, partner, internal"}
              example:
                run: {id: 0b7d6a52-0000-4000-8000-000000000001, action: grant, scope: {drift: true}, dryRun: false, status: running, requestedBy: "staff:alice", totalTasks: 10, createdAt: "2026-01-01T00:00:00Z"}
                counts: {succeeded: 6, pending: 3, failed: 1}
                ratePerSecond: 0.5
                etaSeconds: 6
                failures: {"CPV-403": 1}
                failureClasses: {customer: 1}
            RunTask:
              type: object
              required: [id, runID, customerID, partnerID, priority, status, attempts, nextAttemptAt]
              properties:
                id: {type: integer}
                runID: {type: string, format: uuid}
                customerID: {type: integer}
                partnerID: {type: string, format: uuid}
                priority: {type: integer}
                status: {$ref: "#/components/schemas/RunTaskStatus"}
                attempts: {type: integer}
                leaseOwner: {type: string}
                leaseExpiresAt: {type: string, format: date-time}
                nextAttemptAt: {type: string, format: date-time}
                lastErrorCode: {type: string}
                lastError: {type: string}
                failureClass: {type: string, enum: [transient, customer, partner, internal], description: "what kind of failure the last error was: transient ones are retried, customer-level ones fail at once, partner-level ones block the partner's tasks"}
                finishedAt: {type: string, format: date-time}
              example: {id: 9, runID: 0b7d6a52-0000-4000-8000-000000000001, customerID: 42, partnerID: 6f1c2f4e-0000-4000-8000-00000000dead, priority: 0, status: pending, attempts: 0, nextAttemptAt: "2026-01-01T00:00:00Z"}

        """#
}
