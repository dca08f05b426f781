extension OpenAPIDocument {
    static let components = #"""
        components:
          securitySchemes:
            staffToken: {type: http, scheme: bearer, description: "a staff API token, cpv_<prefix>_<secret>"}
          parameters:
            PartnerId: {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            CustomerId: {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
            RunId: {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            Cursor: {name: cursor, in: query, description: the nextCursor of the previous page, schema: {type: string, maxLength: 64}}
            Limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 500, default: 100}}
          responses:
            Error:
              description: an error with a stable code
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
          schemas:
            Error:
              type: object
              required: [error]
              properties:
                error:
                  type: object
                  required: [code, message, details]
                  properties:
                    code: {type: string, pattern: "^[a-z0-9_]+$"}
                    message: {type: string}
                    details: {type: object, additionalProperties: {type: string}}
              example: {error: {code: invalid_limit, message: limit must be an integer from 1 to 500, details: {parameter: limit, min: "1", max: "500"}}}
            ConsentState: {type: string, enum: [unknown, granting, granted, failed, missing, blocked, revoked]}
            Partner:
              type: object
              required: [id, status]
              properties:
                id: {type: string, format: uuid}
                status: {type: string, enum: [pending_consent, active, needs_reconsent, disabled]}
                consentUrl: {type: string, description: "only when registered: the first invitation's one-time link"}
            PartnerList:
              type: object
              required: [items]
              properties: {items: {type: array, items: {$ref: "#/components/schemas/Partner"}}}
            Customer:
              type: object
              required: [id, partnerId, tenantId, companyName, firstSeenAt, lastSeenAt, consent]
              properties:
                id: {type: integer}
                partnerId: {type: string, format: uuid}
                tenantId: {type: string, format: uuid}
                companyName: {type: string}
                domain: {type: [string, "null"]}
                relationship: {type: [string, "null"]}
                firstSeenAt: {type: string, format: date-time}
                lastSeenAt: {type: string, format: date-time}
                removedAt: {type: [string, "null"], format: date-time}
                consent:
                  type: object
                  required: [state, attempts]
                  properties:
                    state: {$ref: "#/components/schemas/ConsentState"}
                    grantSetVersion: {type: [integer, "null"]}
                    lastAttemptAt: {type: [string, "null"], format: date-time}
                    lastSuccessAt: {type: [string, "null"], format: date-time}
                    lastErrorCode: {type: [string, "null"]}
                    lastError: {type: [string, "null"]}
                    attempts: {type: integer}
              example:
                id: 42
                partnerId: 6f1c2f4e-0000-4000-8000-00000000dead
                tenantId: 0fab0000-0000-4000-8000-000000000001
                companyName: Contoso
                firstSeenAt: "2026-01-01T00:00:00Z"
                lastSeenAt: "2026-01-02T00:00:00Z"
                consent: {state: granted, grantSetVersion: 2, attempts: 1}
            CustomerPage:
              type: object
              required: [items, nextCursor]
              properties:
                items: {type: array, items: {$ref: "#/components/schemas/Customer"}}
                nextCursor: {type: [string, "null"]}
              example: {items: [], nextCursor: null}
            AuditEvent:
              type: object
              required: [seq, occurredAt, actor, action]
              properties:
                seq: {type: integer}
                occurredAt: {type: string, format: date-time}
                actor: {type: string}
                action: {type: string}
                partnerId: {type: [string, "null"], format: uuid}
                customerId: {type: [integer, "null"]}
                runId: {type: [string, "null"], format: uuid}
                taskId: {type: [integer, "null"]}
                httpMethod: {type: [string, "null"]}
                urlPath: {type: [string, "null"]}
                responseStatus: {type: [integer, "null"]}
                msRequestId: {type: [string, "null"], format: uuid}
                msCorrelationId: {type: [string, "null"], format: uuid}
                errorCode: {type: [string, "null"]}
                durationMs: {type: [integer, "null"]}
                details: {}
              example: {seq: 7, occurredAt: "2026-01-01T00:00:00Z", actor: "staff:alice", action: partner.disabled}
            AuditPage:
              type: object
              required: [items, nextCursor]
              properties:
                items: {type: array, items: {$ref: "#/components/schemas/AuditEvent"}}
                nextCursor: {type: [string, "null"]}
            StaffToken:
              type: object
              required: [id, name, role, prefix, createdBy, createdAt]
              properties:
                id: {type: integer}
                name: {type: string}
                role: {type: string, enum: [viewer, operator, admin]}
                prefix: {type: string}
                createdBy: {type: string}
                createdAt: {type: string, format: date-time}
                lastUsedAt: {type: [string, "null"], format: date-time}
                revokedAt: {type: [string, "null"], format: date-time}
                expiresAt: {type: string, format: date-time}
                status: {type: string, enum: [active, expired, revoked]}
              example: {id: 1, name: ci, role: operator, prefix: AbCd1234, createdBy: "staff:alice#1", createdAt: "2026-01-01T00:00:00Z", expiresAt: "2026-04-01T00:00:00Z", status: active}
            ReportTable:
              type: object
              required: [report, columns, rows]
              properties:
                report: {type: string}
                columns: {type: array, items: {type: string}}
                rows: {type: array, items: {type: object}}
              example: {report: failures, columns: [error_code, customers], rows: [{error_code: "900", customers: 2}]}

        """#
}
