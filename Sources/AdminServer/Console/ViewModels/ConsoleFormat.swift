import Foundation

/// How the console writes numbers, times and durations: fixed formats (UTC, grouped digits), so
/// pages read the same on every machine and snapshots are stable.
enum ConsoleFormat {
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func percent(_ value: Double) -> String {
        String(format: "%.1f%%", value)
    }

    /// `2026-11-27 09:05 UTC`; an em dash for "never".
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// `3 h 05 min`, `4 min 20 s`, `12 s`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3_600 { return String(format: "%d h %02d min", total / 3_600, (total % 3_600) / 60) }
        if total >= 60 { return String(format: "%d min %02d s", total / 60, total % 60) }
        return "\(total) s"
    }

    static func id(_ uuid: UUID) -> String { uuid.guidText }

    /// The first block of a UUID: enough to tell runs apart in a list.
    static func shortID(_ uuid: UUID) -> String { String(id(uuid).prefix(8)) }

    /// A CSS class for a consent state, partner status or run status: `tone-bad` for what needs
    /// someone now, `tone-warn` for what needs watching, `tone-good`, `tone-neutral`.
    static func tone(_ status: String) -> String {
        switch status {
        case "missing", "failed", "needs_reconsent", "blocked", "cancelled", "drifted": "tone-bad"
        case "granting", "pending_consent", "paused", "queued", "unknown", "leased", "pending": "tone-warn"
        case "granted", "active", "completed", "succeeded", "verified": "tone-good"
        case "running": "tone-info"
        default: "tone-neutral"
        }
    }

    /// `needs_reconsent` → `needs re-consent`, for people.
    static func label(_ status: String) -> String {
        switch status {
        case "needs_reconsent": "needs re-consent"
        case "pending_consent": "pending consent"
        default: status.replacingOccurrences(of: "_", with: " ")
        }
    }
}

/// A status shown as a coloured badge.
struct Badge: Sendable {
    let text: String
    let tone: String

    init(_ status: String) {
        text = ConsoleFormat.label(status)
        tone = ConsoleFormat.tone(status)
    }
}

/// A link to the next page of a keyset-paginated list.
struct PageLinks: Sendable {
    let next: String?
    let first: String?
}
