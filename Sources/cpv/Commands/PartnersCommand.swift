import ConsentDomain
import ArgumentParser
import Foundation

/// `cpv partners`: partners of a running server, through its admin API.
struct PartnersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners", abstract: "List, show, register, check, sync and disable partners; issue consent invitations.",
        subcommands: [
            List.self, Show.self, Add.self, Verify.self, Sync.self, Disable.self, Invite.self, Invitations.self, RevokeInvitation.self,
        ])

    static let columns: [APIOutput.Column] = [
        .init("id"), .init("name", "displayName"), .init("tenant", "tenantId"), .init("cloud"), .init("status"),
        .init("token days left", "daysUntilTokenExpiry"), .init("last error", "lastTokenErrorCode"),
    ]

    static func partnerPath(_ id: String) throws -> String {
        guard let uuid = UUID(uuidString: id) else { throw ValidationError("the partner id must be a UUID") }
        return "/api/v1/partners/\(uuid.guidText)"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partners (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let data = try await api.client().get("/api/v1/partners")
            try APIOutput.emit(data, json: output.json) { APIOutput.table(APIOutput.objects($0["items"]), PartnersCommand.columns) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one partner (viewer).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String

        func run() async throws {
            let data = try await api.client().get(try PartnersCommand.partnerPath(id))
            try APIOutput.emit(data, json: output.json) {
                APIOutput.fields(
                    $0,
                    PartnersCommand.columns + [
                        .init("status reason", "statusReason"), .init("consented by", "consentedBy"),
                        .init("consented at", "consentedAt"), .init("last redeemed", "lastRedeemedAt"),
                    ])
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a partner (admin); prints its first consent invitation's link (one-time, shown once) to send to its admin.")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The partner's Entra tenant id.") var tenantId: String
        @Option(help: "The partner's display name.") var name: String
        @Option(help: "global, usgov or china.") var cloud = "global"

        func run() async throws {
            let data = try await api.client().post(
                "/api/v1/partners", json: ["tenantId": tenantId, "displayName": name, "cloud": cloud])
            try APIOutput.emit(data, json: output.json) {
                "registered \(APIOutput.text($0["id"])) (\(APIOutput.text($0["status"])))\nconsent URL: \(APIOutput.text($0["consentUrl"]))"
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live check (operator): redeem the partner's token for Partner Center and list one page of customers; exit 2 when a step fails.")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String

        func run() async throws {
            let data = try await api.client().get(try PartnersCommand.partnerPath(id) + "/verify")
            let report = try APIOutput.object(data)
            try APIOutput.emit(data, json: output.json) { report in
                var lines = ["\(APIOutput.text(report["partnerId"] ?? id)): \((report["ok"] as? Bool) == true ? "OK" : "FAILING")"]
                for step in APIOutput.objects(report["steps"]) {
                    let ok = (step["ok"] as? Bool) == true
                    let reason = (step["reason"] as? String).map { " (\($0))" } ?? ""
                    lines.append("  [\(ok ? "ok" : "FAIL")] \(APIOutput.text(step["name"])): \(APIOutput.text(step["detail"]))\(reason)")
                }
                return lines.joined(separator: "\n")
            }
            if (report["ok"] as? Bool) != true { throw ExitCode(2) }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sync the partner's customers from Partner Center now (operator).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String

        func run() async throws {
            let data = try await api.client().post(try PartnersCommand.partnerPath(id) + "/sync")
            try APIOutput.emit(data, json: output.json) {
                "\(APIOutput.text($0["partnerId"])): \(APIOutput.text($0["added"])) added, \(APIOutput.text($0["updated"])) updated, "
                    + "\(APIOutput.text($0["removed"])) removed"
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a partner (admin; audited).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String
        @Option(help: "Why (kept in the audit trail).") var reason: String?

        func run() async throws {
            let data = try await api.client().post(
                try PartnersCommand.partnerPath(id) + "/disable", json: reason.map { ["reason": $0] } ?? [:])
            try APIOutput.emit(data, json: output.json) {
                ($0["changed"] as? Bool) == true
                    ? "disabled \(APIOutput.text($0["id"])) (was \(APIOutput.text($0["previousStatus"])))"
                    : "\(APIOutput.text($0["id"])) was already disabled"
            }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a one-time consent invitation (operator); prints its link, shown only now.")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String
        @Option(help: "onboarding (a partner awaiting its first consent) or reconsent (a partner with a token).") var purpose: String
        @Option(help: "Days until the link stops working (1-30; default: the server's CPV_INVITATION_DAYS).") var expiresInDays: Int?

        func run() async throws {
            var body: [String: Any] = ["purpose": purpose]
            if let expiresInDays { body["expiresInDays"] = expiresInDays }
            let data = try await api.client().post(try PartnersCommand.partnerPath(id) + "/invitations", json: body)
            try APIOutput.emit(data, json: output.json) {
                "invitation \(APIOutput.text($0["id"])) (\(APIOutput.text($0["purpose"])), expires \(APIOutput.text($0["expiresAt"]))):\n"
                    + APIOutput.text($0["url"])
            }
        }
    }

    struct Invitations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a partner's consent invitations (viewer; never their links).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String

        func run() async throws {
            let data = try await api.client().get(try PartnersCommand.partnerPath(id) + "/invitations")
            try APIOutput.emit(data, json: output.json) {
                APIOutput.table(
                    APIOutput.objects($0["items"]),
                    [
                        .init("id"), .init("purpose"), .init("state"), .init("issued by", "createdBy"), .init("expires", "expiresAt"),
                        .init("used by", "usedBy"),
                    ])
            }
        }
    }

    struct RevokeInvitation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-invitation", abstract: "Revoke an open consent invitation (operator).")
        @OptionGroup var api: APIOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The partner id.") var id: String
        @Argument(help: "The invitation id.") var invitationId: Int64

        func run() async throws {
            let data = try await api.client().post(try PartnersCommand.partnerPath(id) + "/invitations/\(invitationId)/revoke")
            try APIOutput.emit(data, json: output.json) { "revoked invitation \(APIOutput.text($0["id"]))" }
        }
    }
}
