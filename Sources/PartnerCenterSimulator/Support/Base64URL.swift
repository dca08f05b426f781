import Foundation

/// base64url without padding (RFC 7515 §2), the encoding of every JWT segment.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Also accepts standard base64 and padding: Entra tolerates both (reference §1.3, CIPP quirk).
    static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var s = String(string).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s = s.replacingOccurrences(of: "=", with: "")
        while s.count % 4 != 0 { s.append("=") }
        return Data(base64Encoded: s).map(Array.init)
    }
}
