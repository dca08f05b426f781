/// Whole milliseconds, as `audit_events.duration_ms` and the API report durations.
extension Duration {
    var wholeMilliseconds: Int {
        Int(components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
