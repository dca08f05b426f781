import Hummingbird

extension ConsoleRoutes {
    /// The one-line message of the page a POST redirected to. Only fixed texts and numbers: the
    /// query string cannot put words on the page.
    static func notice(_ request: Request) -> ConsoleChrome.Notice? {
        let query = request.uri.queryParameters
        func number(_ name: String) -> Int { query.get(name).flatMap(Int.init) ?? 0 }
        switch query.get("done") {
        case "invitation-revoked": return .init(kind: "ok", text: "Invitation revoked: its link no longer works.")
        case "synced":
            return .init(kind: "ok", text: "Customers synced: \(number("added")) added, \(number("updated")) updated, \(number("removed")) removed.")
        case "regrant-succeeded": return .init(kind: "ok", text: "Consent granted again.")
        case "regrant-failed": return .init(kind: "error", text: "The re-grant failed. The history below has the error.")
        case "regrant-blocked": return .init(kind: "error", text: "The re-grant is blocked: the partner must consent again.")
        case "run-created": return .init(kind: "ok", text: "Run created.")
        case "run-pause": return .init(kind: "ok", text: "Run paused. Tasks in flight finish; no new ones start.")
        case "run-resume": return .init(kind: "ok", text: "Run resumed.")
        case "run-cancel": return .init(kind: "ok", text: "Run cancelled.")
        case "published": return .init(kind: "ok", text: "Grant set v\(number("version")) published. Start a run to apply it.")
        case "proposed": return .init(kind: "ok", text: "Grant set proposed. Another admin must approve it before it is published.")
        case "rejected": return .init(kind: "ok", text: "Grant set proposal rejected.")
        default: return nil
        }
    }
}
