import Hummingbird

/// The request context of the admin server. Later fields (the authenticated staff member, the
/// console session) are added here so that every handler sees the same type.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
