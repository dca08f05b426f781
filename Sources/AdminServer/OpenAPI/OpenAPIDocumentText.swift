/// The served OpenAPI document's text, for tests and tools that check it without a server.
public enum OpenAPIDocumentText {
    public static var yaml: String { OpenAPIDocument.yaml }
}
