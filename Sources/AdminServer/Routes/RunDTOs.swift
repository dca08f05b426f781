import ConsentDomain
import ConsentStore
import Foundation

// The runs API's wire format, mapped from the store's records: the records may change with the
// schema, these only with the API (docs/api.md, Public/openapi.yaml). Ids are lower-case, as
// Microsoft and our documents print GUIDs.

struct RunDTO: Encodable {
    let id: String
    let action: RunAction
    let scope: RunScope
    let grantSetVersion: Int?
    let dryRun: Bool
    let maxConcurrency: Int?
    let status: RunStatus
    let requestedBy: String
    let totalTasks: Int
    let createdAt: Date
    let startedAt: Date?
    let finishedAt: Date?

    init(_ run: RunRecord) {
        id = run.id.guidText
        action = run.action
        scope = run.scope
        grantSetVersion = run.grantSetVersion
        dryRun = run.dryRun
        maxConcurrency = run.maxConcurrency
        status = run.status
        requestedBy = run.requestedBy
        totalTasks = run.totalTasks
        createdAt = run.createdAt
        startedAt = run.startedAt
        finishedAt = run.finishedAt
    }
}

struct RunPlanDTO: Encodable {
    let run: RunDTO
    let planned: Int
    let blocked: Int
    let missing: Int

    init(_ plan: RunPlan) {
        run = RunDTO(plan.run)
        planned = plan.planned
        blocked = plan.blocked
        missing = plan.missing
    }
}

struct RunProgressDTO: Encodable {
    let run: RunDTO
    let counts: [String: Int]
    let ratePerSecond: Double
    let etaSeconds: Double?
    let failures: [String: Int]
    let failureClasses: [String: Int]

    init(_ progress: RunProgress) {
        run = RunDTO(progress.run)
        counts = progress.counts
        ratePerSecond = progress.ratePerSecond
        etaSeconds = progress.etaSeconds
        failures = progress.failures
        failureClasses = progress.failureClasses
    }
}

struct RunTaskDTO: Encodable {
    let id: Int64
    let runID: String
    let customerID: Int64
    let partnerID: String
    let priority: Int
    let status: RunTaskStatus
    let attempts: Int
    let leaseOwner: String?
    let leaseExpiresAt: Date?
    let nextAttemptAt: Date
    let lastErrorCode: String?
    let lastError: String?
    let failureClass: FailureClass?
    let finishedAt: Date?

    init(_ task: RunTaskRecord) {
        id = task.id
        runID = task.runID.guidText
        customerID = task.customerID
        partnerID = task.partnerID.guidText
        priority = task.priority
        status = task.status
        attempts = task.attempts
        leaseOwner = task.leaseOwner
        leaseExpiresAt = task.leaseExpiresAt
        nextAttemptAt = task.nextAttemptAt
        lastErrorCode = task.lastErrorCode
        lastError = task.lastError
        failureClass = task.failureClass
        finishedAt = task.finishedAt
    }
}
