import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the API's own description, public (it holds no secrets and the fuzzer
/// and client generators read it without a token).
struct OpenAPIRoute {
    func register(on router: Router<AppRequestContext>) {
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }
}
