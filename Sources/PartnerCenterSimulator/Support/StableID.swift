import Crypto

/// GUIDs derived from names, for objects that must keep the same id across runs (resource service principals).
enum StableID {
    static func guid(_ parts: String...) -> String {
        var bytes = Array(SHA256.hash(data: Array(parts.joined(separator: "|").utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return GUIDFormat.string(bytes)
    }
}
