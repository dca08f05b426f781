import CPVTestSupport
import ConsentStore
import Foundation
import PostgresNIO
import Testing

@Suite struct AuditChainTests {
    let logger = TestDatabase.logger

    func record(_ index: Int) -> AuditRecord {
        AuditRecord(
            actor: "system:test", action: "consent.post.succeeded", partnerID: UUID(), customerID: Int64(index),
            httpMethod: "POST", urlPath: "/v1/customers/\(index)/applicationconsents",
            requestBody: #"{"applicationId":"x","applicationGrants":[{"enterpriseApplicationId":"g","scope":"A,B"}]}"#,
            responseStatus: 201, msRequestID: UUID(), msCorrelationID: UUID(), durationMilliseconds: 42,
            details: #"{"attempt": 1}"#)
    }

    @Test func appendedEventsFormAnIntactChain() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            for index in 1...20 {
                let seq = try await TestAudit.writer.append(record(index), client: client, logger: logger)
                #expect(seq == Int64(index))
            }
            let report = try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger)
            #expect(report.isIntact)
            #expect(report.checkedEvents == 20)
        }
    }

    @Test func concurrentWritersNeverBreakTheChain() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            // given: 8 writers appending in their own transactions at the same time
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<25 {
                            _ = try await client.withTransaction(logger: logger) { connection in
                                try await TestAudit.writer.append(record(writer * 100 + index), on: connection, logger: logger)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            // then
            let report = try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger)
            #expect(report.isIntact, "\(String(describing: report.firstBreak))")
            #expect(report.checkedEvents == 200)
        }
    }

    @Test func anEventAndItsStateChangeRollBackTogether() async throws {
        try await TestDatabase.withMigratedDatabase { client, _ in
            struct Abort: Error {}
            await #expect(throws: (any Error).self) {
                try await client.withTransaction(logger: logger) { connection in
                    try await TestAudit.writer.append(record(1), on: connection, logger: logger)
                    throw Abort()
                }
            }
            let count = try await client.query("SELECT count(*) FROM audit_events", logger: logger).collect().first?.decode(Int.self)
            #expect(count == 0)
            try await TestAudit.writer.append(record(2), client: client, logger: logger)
            #expect(try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger).isIntact)
        }
    }

    @Test func anEditedEventIsDetectedEvenWithTheTriggerDisabled() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            // given
            for index in 1...10 { try await TestAudit.writer.append(record(index), client: client, logger: logger) }
            // when: a superuser disables the guard and rewrites event 4
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", logger: logger)
                try await admin.query("UPDATE audit_events SET response_status = 403 WHERE seq = 4", logger: logger)
            }
            // then
            let report = try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger)
            #expect(report.firstBreak?.seq == 4)
            #expect(report.firstBreak?.reason.contains("changed") == true)
        }
    }

    @Test func aDeletedEventIsDetected() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            for index in 1...10 { try await TestAudit.writer.append(record(index), client: client, logger: logger) }
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", logger: logger)
                try await admin.query("DELETE FROM audit_events WHERE seq = 7", logger: logger)
            }
            let report = try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger)
            #expect(report.firstBreak?.seq == 7)
            #expect(report.firstBreak?.reason.contains("missing") == true)
        }
    }

    @Test func aRemovedTailIsDetectedThroughTheChainHead() async throws {
        try await TestDatabase.withMigratedDatabase { client, url in
            for index in 1...10 { try await TestAudit.writer.append(record(index), client: client, logger: logger) }
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete", logger: logger)
                try await admin.query("DELETE FROM audit_events WHERE seq > 8", logger: logger)
            }
            let report = try await AuditChainVerifier.verify(client: client, keys: TestAudit.keys, logger: logger)
            #expect(report.firstBreak?.seq == 9)
        }
    }
}
