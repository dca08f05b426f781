/// The Microsoft national clouds a partner can live in. Tokens from one cloud are not valid in
/// another, so every partner records its cloud.
public enum Cloud: String, Sendable, Codable, CaseIterable {
    case global
    case usgov
    case china
}
