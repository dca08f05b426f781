import Logging
import PostgresNIO

/// `partner-token-health`: per partner, status, last redemption, projected expiry of its refresh
/// token (Microsoft expires one after 90 days without use), days left and the last error — most
/// urgent first: needs re-consent, then active by days left, then pending, then disabled.
///
/// Index: none needed — a CPV has tens to hundreds of partners; `partners_status` exists anyway.
public enum PartnerTokenHealthReport {
    /// Microsoft's inactivity limit for a refresh token.
    public static let inactivityLimitDays = 90

    public static func run(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        try await client.report(
            "partner-token-health",
            """
            SELECT id AS partner_id, display_name AS partner_name, status, status_reason, last_redeemed_at,
                   COALESCE(last_redeemed_at, consented_at) + make_interval(days => \(inactivityLimitDays)::integer) AS projected_expiry,
                   floor(extract(epoch FROM COALESCE(last_redeemed_at, consented_at)
                         + make_interval(days => \(inactivityLimitDays)::integer) - now()) / 86400)::bigint AS days_left,
                   last_token_error_code, last_token_error
            FROM partners
            ORDER BY CASE status WHEN 'needs_reconsent' THEN 0 WHEN 'active' THEN 1 WHEN 'pending_consent' THEN 2 ELSE 3 END,
                     days_left NULLS LAST, display_name, id
            """,
            columns: [
                .uuid("partner_id"), .text("partner_name"), .text("status"), .text("status_reason"), .timestamp("last_redeemed_at"),
                .timestamp("projected_expiry"), .integer("days_left"), .text("last_token_error_code"), .text("last_token_error"),
            ], logger: logger)
    }
}
