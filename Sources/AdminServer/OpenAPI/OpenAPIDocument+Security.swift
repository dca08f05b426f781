/// Consent invitations and grant set proposals (issue #14). `securityPaths` continues the
/// document's `paths` block; `securitySchemas` continues `components.schemas`, its last key.
extension OpenAPIDocument {
    static let securityPaths = #"""
          /api/v1/partners/{id}/invitations:
            get:
              summary: The partner's consent invitations, newest first, never their links (viewer)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              responses:
                "200":
                  description: invitations
                  content:
                    application/json:
                      schema: {type: object, required: [items], properties: {items: {type: array, items: {$ref: "#/components/schemas/Invitation"}}}}
                default: {$ref: "#/components/responses/Error"}
            post:
              summary: Issues a one-time consent invitation; its url is in this answer only (operator)
              parameters: [{$ref: "#/components/parameters/PartnerId"}]
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [purpose]
                      properties:
                        purpose: {type: string, enum: [onboarding, reconsent]}
                        expiresInDays: {type: integer, minimum: 1, maximum: 30}
              responses:
                "201": {description: issued, content: {application/json: {schema: {$ref: "#/components/schemas/Invitation"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/partners/{id}/invitations/{invitationId}/revoke:
            post:
              summary: Revokes an open invitation (operator)
              parameters:
                - {$ref: "#/components/parameters/PartnerId"}
                - {name: invitationId, in: path, required: true, schema: {type: integer, minimum: 1}}
              responses:
                "200": {description: revoked, content: {application/json: {schema: {$ref: "#/components/schemas/Invitation"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/grant-sets/proposals:
            get:
              summary: The most recent grant set proposals, newest first (viewer)
              responses:
                "200":
                  description: proposals
                  content:
                    application/json:
                      schema: {type: object, required: [items], properties: {items: {type: array, items: {$ref: "#/components/schemas/GrantSetProposal"}}}}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/grant-sets/proposals/{id}/approve:
            post:
              summary: Approves and publishes a proposal (admin; not the admin who proposed it; within the grant ceiling)
              parameters: [{name: id, in: path, required: true, schema: {type: integer, minimum: 1}}]
              responses:
                "200":
                  description: approved and published
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [proposal, grantSet]
                        properties:
                          proposal: {$ref: "#/components/schemas/GrantSetProposal"}
                          grantSet: {type: object, required: [version]}
                default: {$ref: "#/components/responses/Error"}
          /api/v1/grant-sets/proposals/{id}/reject:
            post:
              summary: Rejects (or, by its proposer, withdraws) a proposal (admin)
              parameters: [{name: id, in: path, required: true, schema: {type: integer, minimum: 1}}]
              requestBody:
                required: false
                content:
                  application/json:
                    schema: {type: object, additionalProperties: false, properties: {reason: {type: string, maxLength: 512}}}
              responses:
                "200": {description: rejected, content: {application/json: {schema: {$ref: "#/components/schemas/GrantSetProposal"}}}}
                default: {$ref: "#/components/responses/Error"}

        """#

    static let securitySchemas = #"""
            Invitation:
              type: object
              required: [id, partnerId, purpose, state, createdBy, createdAt, expiresAt]
              properties:
                id: {type: integer}
                partnerId: {type: string, format: uuid}
                purpose: {type: string, enum: [onboarding, reconsent]}
                state: {type: string, enum: [open, used, revoked, expired]}
                url: {type: string, description: "only in the answer that issued it"}
                createdBy: {type: string}
                createdAt: {type: string, format: date-time}
                expiresAt: {type: string, format: date-time}
                usedAt: {type: [string, "null"], format: date-time}
                usedBy: {type: [string, "null"]}
                revokedAt: {type: [string, "null"], format: date-time}
                revokedBy: {type: [string, "null"]}
              example: {id: 7, partnerId: 6f1c2f4e-0000-4000-8000-00000000dead, purpose: onboarding, state: open, url: "https://cpv.example.com/consent/start?invitation=cpvi_...", createdBy: "staff:alice#3", createdAt: "2026-01-01T00:00:00Z", expiresAt: "2026-01-08T00:00:00Z"}
            GrantSetProposal:
              type: object
              required: [id, status, applicationId, displayName, grants, proposedBy, proposedAt]
              properties:
                id: {type: integer}
                status: {type: string, enum: [pending, approved, rejected]}
                applicationId: {type: string, format: uuid}
                displayName: {type: string}
                grants: {type: array, items: {type: object, required: [enterpriseApplicationId, scope]}}
                baseVersion: {type: [integer, "null"]}
                proposedBy: {type: string}
                proposedAt: {type: string, format: date-time}
                decidedBy: {type: [string, "null"]}
                decidedAt: {type: [string, "null"], format: date-time}
                decisionReason: {type: [string, "null"]}
                publishedVersion: {type: [integer, "null"]}

        """#
}
