/// Keys of the audit chain's HMAC (`CPV_AUDIT_KEYS`).
///
/// They live outside the database on purpose: whoever owns the database can rewrite rows and
/// triggers, but without a key cannot compute a hash the verifier accepts. The first key signs new
/// events; the others only verify the events they signed, so a key is rotated by putting a new one
/// first and keeping the old one for as long as its events are kept.
public enum AuditKeys: KeyRingUse {
    public static let label = "AuditKey"
}

public typealias AuditKeyRing = KeyRing<AuditKeys>
