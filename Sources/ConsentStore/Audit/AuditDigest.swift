import ConsentDomain
import Crypto
import Foundation

/// The hashes of the audit chain, computed in Swift by the writer and recomputed by the verifier,
/// so neither trusts anything the database could be made to compute differently.
///
/// **Keyed (`cpv-audit-v1`, migration 0010 on):** `hash = HMAC-SHA256(key, encoding)` where the
/// encoding is the version tag, then the previous row's hash, the position, the time and every
/// column the writer sets, each length-prefixed (so no two rows share an encoding), with JSON
/// columns in `CanonicalJSON` form. The key is named by the row's `key_id` and kept outside the
/// database (`CPV_AUDIT_KEYS`).
///
/// **Legacy (migrations 0002-0008):** `hash = SHA-256(prev_hash || audit_canonical(row))`, the
/// unkeyed chain the database computed itself; reproduced here byte for byte (PostgreSQL's jsonb
/// text of the row) so that events written before the upgrade still verify.
enum AuditDigest {
    static let versionTag = Array("cpv-audit-v1".utf8)

    /// The part of a keyed event's encoding known before the chain head is locked: the key id and
    /// the record's columns. `record`'s JSON columns must already be canonical.
    static func content(_ record: AuditRecord, keyID: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + (record.requestBody?.utf8.count ?? 0) + (record.details?.utf8.count ?? 0))
        append(keyID, to: &bytes)
        append(record.actor, to: &bytes)
        append(record.action, to: &bytes)
        append(record.partnerID.map(\.guidText), to: &bytes)
        append(record.customerID, to: &bytes)
        append(record.runID.map(\.guidText), to: &bytes)
        append(record.taskID, to: &bytes)
        append(record.httpMethod, to: &bytes)
        append(record.urlPath, to: &bytes)
        append(record.requestBody, to: &bytes)
        append(record.responseStatus.map(Int64.init), to: &bytes)
        append(record.responseBody, to: &bytes)
        append(record.msRequestID.map(\.guidText), to: &bytes)
        append(record.msCorrelationID.map(\.guidText), to: &bytes)
        append(record.errorCode, to: &bytes)
        append(record.durationMilliseconds.map(Int64.init), to: &bytes)
        append(record.details, to: &bytes)
        return bytes
    }

    static func keyed(key: SymmetricKey, previous: [UInt8], seq: Int64, occurredAt: AuditTimestamp, content: [UInt8]) -> [UInt8] {
        var header = versionTag
        appendBytes(previous, to: &header)
        append(seq, to: &header)
        append(occurredAt.microsecondsSince2000, to: &header)
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: header)
        mac.update(data: content)
        return Array(mac.finalize())
    }

    /// Migration 0002's hash. `record`'s JSON columns must be PostgreSQL's own text of them
    /// (`column::text`), as `audit_canonical` embedded the jsonb values.
    static func legacy(previous: [UInt8], seq: Int64, occurredAt: AuditTimestamp, record: AuditRecord) -> [UInt8] {
        func text(_ value: String?) -> String { value.map(pgString) ?? "null" }
        func number(_ value: Int64?) -> String { value.map(String.init) ?? "null" }
        let fields: [(String, String)] = [
            ("seq", String(seq)), ("occurred_at", pgString(occurredAt.iso8601Microseconds)), ("actor", pgString(record.actor)),
            ("action", pgString(record.action)), ("partner_id", text(record.partnerID.map(\.guidText))),
            ("customer_id", number(record.customerID)), ("run_id", text(record.runID.map(\.guidText))), ("task_id", number(record.taskID)),
            ("http_method", text(record.httpMethod)), ("url_path", text(record.urlPath)), ("request_body", record.requestBody ?? "null"),
            ("response_status", number(record.responseStatus.map(Int64.init))), ("response_body", text(record.responseBody)),
            ("ms_request_id", text(record.msRequestID.map(\.guidText))), ("ms_correlation_id", text(record.msCorrelationID.map(\.guidText))),
            ("error_code", text(record.errorCode)), ("duration_ms", number(record.durationMilliseconds.map(Int64.init))),
            ("details", record.details ?? "null"),
        ]
        // jsonb orders an object's keys by length, then bytewise.
        let ordered = fields.sorted { lhs, rhs in
            let (left, right) = (Array(lhs.0.utf8), Array(rhs.0.utf8))
            return left.count != right.count ? left.count < right.count : left.lexicographicallyPrecedes(right)
        }
        let rendered = "{" + ordered.map { "\(pgString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: Array(rendered.utf8))
        return Array(hasher.finalize())
    }

    /// A JSON string as PostgreSQL's `escape_json` writes it.
    static func pgString(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    private static func append(_ value: String?, to bytes: inout [UInt8]) {
        guard let value else { bytes.append(0); return }
        bytes.append(1)
        appendBytes(Array(value.utf8), to: &bytes)
    }

    private static func append(_ value: Int64?, to bytes: inout [UInt8]) {
        guard let value else { bytes.append(0); return }
        bytes.append(1)
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendBytes(_ value: [UInt8], to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(value.count).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: value)
    }
}
