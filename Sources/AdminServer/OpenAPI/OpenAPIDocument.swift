/// The hand-written OpenAPI 3.1 document of the whole server, served at `/openapi.yaml`.
///
/// Kept in the binary rather than a file beside it so the served document is always the one of
/// this build. `OpenAPIDocumentTests` compares its paths with the router and checks its examples.
enum OpenAPIDocument {
    static let yaml = header + paths + runPaths + securityPaths + components + runSchemas + securitySchemas
}

extension OpenAPIDocument {
    static let header = #"""
        openapi: 3.1.0
        info:
          title: CPV consent orchestrator admin API
          version: "1"
          description: >-
            Staff API of the CPV consent orchestrator. Every /api/v1 route needs `Authorization: Bearer cpv_...`;
            roles are viewer < operator < admin. Errors are always {"error":{"code","message","details"}}
            with a stable snake_case code.
        servers:
          - url: /
        security:
          - staffToken: []

        """#

    static let paths = #"""
        paths:
          /healthz:
            get:
              summary: Liveness
              security: []
              responses:
                "200": {description: alive, content: {application/json: {schema: {type: object, required: [status], properties: {status: {const: ok}}}}}}
          /readyz:
            get:
              summary: Readiness (database reachable, schema current)
              security: []
              responses:
                "200": {description: ready, content: {application/json: {schema: {type: object}}}}
                "503": {description: not ready, content: {application/json: {schema: {type: object}}}}
          /metrics:
            get:
              summary: Prometheus metrics
              security: []
              responses:
                "200": {description: metrics, content: {text/plain: {schema: {type: string}}}}
          /openapi.yaml:
            get:
              summary: This document
              security: []
              responses:
                "200": {description: the document, content: {application/yaml: {schema: {type: string}}}}
          /consent/start:
            get:
              summary: Starts a partner admin's consent from a one-time invitation (redirect to Microsoft); rate-limited per address
              security: []
              parameters: [{name: invitation, in: query, required: true, schema: {type: string}}]
              responses:
                "302": {description: redirect to the authorize endpoint}
                default: {description: an HTML page explaining the failure, content: {text/html: {schema: {type: string}}}}
          /consent/callback:
            get:
              summary: OAuth redirect target of the consent; rate-limited per address
              security: []
              parameters:
                - {name: code, in: query, schema: {type: string}}
                - {name: state, in: query, schema: {type: string}}
                - {name: iss, in: query, description: "RFC 9207 issuer; checked when present", schema: {type: string}}
                - {name: error, in: query, schema: {type: string}}
                - {name: error_description, in: query, schema: {type: string}}
              responses:
                default: {description: an HTML result page, content: {text/html: {schema: {type: string}}}}
          /api/v1/partners:
            get:
              summary: All partners (viewer)
              responses:
                "200": {description: partners, content: {application/json: {schema: {$ref: "#/components/schemas/PartnerList"}}}}
                default: {$ref: "#/components/responses/Error"}
            post:
              summary: Registers a partner and issues its first onboarding invitation, whose link is consentUrl (admin)
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [tenantId, displayName, cloud]
                      properties:
                        tenantId: {type: string, format: uuid}
                        displayName: {type: string, minLength: 1, maxLength: 256}
                        cloud: {type: string, enum: [global, usgov, china]}
              responses:
                "201": {description: registered, content: {application/json: {schema: {$ref: "#/components/schemas/Partner"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/partners/{id}:
            get:
              summary: One partner (viewer)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              responses:
                "200": {description: the partner, content: {application/json: {schema: {$ref: "#/components/schemas/Partner"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/partners/{id}/verify:
            get:
              summary: Live check of the partner's token and Partner Center access (operator)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              responses:
                "200": {description: the verification, content: {application/json: {schema: {type: object}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/partners/{id}/sync:
            post:
              summary: Syncs the partner's customers now (operator)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              responses:
                "200": {description: what changed, content: {application/json: {schema: {type: object, required: [partnerId, added, updated, removed]}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/partners/{id}/disable:
            post:
              summary: Disables a partner (admin; audited as partner.disabled)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              requestBody:
                required: false
                content:
                  application/json:
                    schema: {type: object, additionalProperties: false, properties: {reason: {type: string, maxLength: 512}}}
              responses:
                "200":
                  description: disabled (changed is false when it already was)
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, status, previousStatus, changed]
                        properties:
                          id: {type: string, format: uuid}
                          status: {type: string, const: disabled}
                          previousStatus: {type: string}
                          changed: {type: boolean}
                      example: {id: 6f1c2f4e-0000-4000-8000-00000000dead, status: disabled, previousStatus: active, changed: true}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/grant-sets:
            get:
              summary: Grant set versions (viewer)
              responses:
                "200": {description: grant sets, content: {application/json: {schema: {type: object, required: [items]}}}}
                default: {$ref: "#/components/responses/Error"}
            post:
              summary: Proposes the next grant set version; a second admin approves it (admin)
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [displayName, grants]
                      properties:
                        applicationId: {type: string, format: uuid}
                        displayName: {type: string}
                        grants:
                          type: array
                          items:
                            type: object
                            additionalProperties: false
                            required: [enterpriseApplicationId, scope]
                            properties: {enterpriseApplicationId: {type: string, format: uuid}, scope: {type: string}}
              responses:
                "202": {description: "proposed, waiting for a second admin", content: {application/json: {schema: {$ref: "#/components/schemas/GrantSetProposal"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/customers:
            get:
              summary: Customers, filtered, in id order with an opaque cursor (viewer)
              parameters:
                - {name: partnerId, in: query, schema: {type: string, format: uuid}}
                - {name: state, in: query, schema: {$ref: "#/components/schemas/ConsentState"}}
                - {name: grantSetVersion, in: query, schema: {type: integer, minimum: 1}}
                - {name: removed, in: query, schema: {type: boolean}}
                - {name: q, in: query, description: "company name or domain substring, or a tenant id", schema: {type: string, maxLength: 256}}
                - {$ref: "#/components/parameters/Cursor"}
                - {$ref: "#/components/parameters/Limit"}
              responses:
                "200": {description: a page, content: {application/json: {schema: {$ref: "#/components/schemas/CustomerPage"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/customers/{id}:
            get:
              summary: One customer, its consent state and its 20 most recent audit events (viewer)
              parameters: [{$ref: "#/components/parameters/CustomerId"}]
              responses:
                "200":
                  description: the customer
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [customer, recentAudit]
                        properties:
                          customer: {$ref: "#/components/schemas/Customer"}
                          recentAudit: {type: array, items: {$ref: "#/components/schemas/AuditEvent"}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/customers/{id}/regrant:
            post:
              summary: DELETE+POST the customer's consent now (operator)
              parameters: [{$ref: "#/components/parameters/CustomerId"}]
              responses:
                "200": {description: the outcome, content: {application/json: {schema: {type: object, required: [customerId, result, state, calls]}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/audit:
            get:
              summary: Audit search, newest first by seq, with an opaque cursor (viewer)
              parameters:
                - {name: partnerId, in: query, schema: {type: string, format: uuid}}
                - {name: customerId, in: query, schema: {type: integer, minimum: 1}}
                - {name: runId, in: query, schema: {type: string, format: uuid}}
                - {name: action, in: query, schema: {type: string, maxLength: 128}}
                - {name: since, in: query, schema: {type: string, format: date-time}}
                - {name: until, in: query, schema: {type: string, format: date-time}}
                - {$ref: "#/components/parameters/Cursor"}
                - {$ref: "#/components/parameters/Limit"}
              responses:
                "200": {description: a page, content: {application/json: {schema: {$ref: "#/components/schemas/AuditPage"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/audit/verify:
            get:
              summary: Walks the audit hash chain (viewer)
              responses:
                "200":
                  description: the verification
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [intact, checkedEvents, lastSeq, lastHash, unkeyedEvents, durationMs]
                        properties:
                          intact: {type: boolean}
                          checkedEvents: {type: integer}
                          lastSeq: {type: integer}
                          lastHash: {type: string}
                          unkeyedEvents: {type: integer}
                          durationMs: {type: integer}
                          firstBreak: {type: [object, "null"], properties: {seq: {type: integer}, reason: {type: string}}}
                      example: {intact: true, checkedEvents: 3, lastSeq: 3, lastHash: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, unkeyedEvents: 0, durationMs: 1}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/tokens:
            get:
              summary: Staff tokens, without their secrets (admin)
              responses:
                "200":
                  description: tokens
                  content:
                    application/json:
                      schema: {type: object, required: [items], properties: {items: {type: array, items: {$ref: "#/components/schemas/StaffToken"}}}}
                default: {$ref: "#/components/responses/Error"}
            post:
              summary: Creates a staff token; the answer is the only time the token is shown (admin)
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [name, role]
                      properties:
                        name: {type: string, minLength: 1, maxLength: 128}
                        role: {type: string, enum: [viewer, operator, admin]}
                        expiresInDays: {type: integer, minimum: 1, maximum: 365, default: 90}
              responses:
                "201":
                  description: created
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [token, details]
                        properties: {token: {type: string, pattern: "^cpv_"}, details: {$ref: "#/components/schemas/StaffToken"}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/tokens/{id}/revoke:
            post:
              summary: Revokes a staff token (admin)
              parameters: [{name: id, in: path, required: true, schema: {type: integer, minimum: 1}}]
              responses:
                "200": {description: revoked, content: {application/json: {schema: {type: object, required: [id, revoked]}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/reports/{name}:
            get:
              summary: A report as JSON or CSV; audit-export streams (viewer)
              parameters:
                - name: name
                  in: path
                  required: true
                  schema: {type: string, enum: [consent-coverage, missing-consent, failures, stale, partner-token-health, runs, audit-export]}
                - {name: format, in: query, schema: {type: string, enum: [json, csv]}}
                - {name: days, in: query, description: "stale: older than this many days; runs: runs created in the last this many days", schema: {type: integer, minimum: 1, maximum: 3650}}
                - {name: limit, in: query, description: "missing-consent and stale: most rows listed", schema: {type: integer, minimum: 1, maximum: 500, default: 100}}
                - {name: since, in: query, description: audit-export only, schema: {type: string, format: date-time}}
                - {name: until, in: query, description: audit-export only, schema: {type: string, format: date-time}}
              responses:
                "200":
                  description: the report (audit-export as JSON is an array of rows)
                  content:
                    application/json: {schema: {oneOf: [{$ref: "#/components/schemas/ReportTable"}, {type: array, items: {type: object}}]}}
                    text/csv: {schema: {type: string}}
                default: {$ref: "#/components/responses/Error"}

        """#
}
