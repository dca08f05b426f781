import ConsentStore
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the server's HTML pages from `Templates/*.mustache` with typed view models.
///
/// Templates are loaded once at boot; a missing template is a boot error, not a 500 later.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init(directory: String) async throws {
        library = try await MustacheLibrary(directory: directory)
        for required in ["consent-result"] where library.getTemplate(named: required) == nil {
            throw PageRendererError.missingTemplate(required, directory)
        }
    }

    /// Every page carries these headers: no inline scripts, no framing, no referrer leaks.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .cacheControl: "no-store",
    ]

    func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            throw PageRendererError.missingTemplate(template, "")
        }
        return Response(status: status, headers: Self.securityHeaders, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Finds the `Templates` folder (see `InstalledFolder`): it holds the consent result page.
    public static func locateDirectory(explicit: String?, executablePath: String) -> String? {
        InstalledFolder.locate("Templates", holding: "consent-result.mustache", explicit: explicit, executablePath: executablePath)?.path
    }
}

public enum PageRendererError: Error, CustomStringConvertible {
    case missingTemplate(String, String)
    /// A file of the `Public` folder beside the templates (console assets, `openapi.yaml`).
    case missingFile(String, String)

    public var description: String {
        switch self {
        case .missingTemplate(let name, let directory):
            return "template \(name).mustache not found in \(directory.isEmpty ? "the template library" : directory) (set CPV_TEMPLATES_DIR)"
        case .missingFile(let name, let directory):
            return "\(name) not found in \(directory) (the Public folder beside the templates: set CPV_TEMPLATES_DIR)"
        }
    }
}
