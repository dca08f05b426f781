import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders console pages from `Templates/console/*.mustache` and serves the console's two static
/// files (`Public/console.css`, `Public/console.js`), all loaded once at boot: a missing template
/// or file is a boot error, not a broken page later.
struct ConsolePages: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    let script: ByteBuffer

    static let templates = [
        "console-layout", "console/error", "console/sign-in", "console/dashboard", "console/partners", "console/partner",
        "console/partner-new", "console/customers", "console/customer", "console/runs", "console/run-new", "console/run",
        "console/run-progress", "console/audit", "console/reports", "console/report", "console/grant-sets",
    ]

    init(templatesDirectory: String) async throws {
        library = try await MustacheLibrary(directory: templatesDirectory)
        for name in Self.templates where library.getTemplate(named: name) == nil {
            throw PageRendererError.missingTemplate(name, templatesDirectory)
        }
        let publicDirectory = URL(fileURLWithPath: templatesDirectory).deletingLastPathComponent().appendingPathComponent("Public")
        func load(_ name: String) throws -> ByteBuffer {
            let url = publicDirectory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw PageRendererError.missingFile(name, publicDirectory.path)
            }
            return ByteBuffer(bytes: data)
        }
        stylesheet = try load("console.css")
        script = try load("console.js")
    }

    /// The page's HTML; nil only if the template is missing, which `init` rules out.
    func html(_ template: String, _ model: some Sendable) -> String? {
        library.render(model, withTemplate: template)
    }

    func render(_ template: String, _ model: some Sendable, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = html(template, model) else { throw PageRendererError.missingTemplate(template, "") }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func staticFile(_ buffer: ByteBuffer, contentType: String) -> Response {
        // Small and versioned with the binary: an hour of caching keeps a slow laptop fast.
        Response(
            status: .ok, headers: [.contentType: contentType, .cacheControl: "private, max-age=3600"],
            body: .init(byteBuffer: buffer))
    }
}
