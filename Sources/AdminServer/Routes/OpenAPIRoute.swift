import Foundation
import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the API's own description, public (it holds no secrets and the fuzzer
/// and client generators read it without a token).
///
/// The document is `Public/openapi.yaml`, the checked-in source of truth, read once at boot and
/// served byte for byte. `OpenAPIDocumentTests` parses it, compares its operations with the live
/// router both ways and checks every example and every answer against its schemas.
struct OpenAPIRoute {
    let document: ByteBuffer

    /// Reads `openapi.yaml` from the `Public` folder beside the templates (where the console's
    /// assets are, and where the image and the packages install it).
    init(publicDirectory: URL) throws {
        let url = publicDirectory.appendingPathComponent("openapi.yaml")
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else {
            throw PageRendererError.missingFile("openapi.yaml", publicDirectory.path)
        }
        document = ByteBuffer(bytes: data)
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/openapi.yaml") { [document] _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: document))
        }
    }
}
