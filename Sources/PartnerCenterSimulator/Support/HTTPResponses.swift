import Foundation
import Hummingbird

/// Small builders for the JSON and text answers every route gives.
enum HTTPResponses {
    static let jsonEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data = (try? jsonEncoder.encode(value)) ?? Data("{}".utf8)
        return bytes(Array(data), status: status, headers: headers)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status, headers: HTTPFields = [:], contentType: String = "application/json; charset=utf-8") -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8") -> Response {
        bytes(Array(text.utf8), status: status, contentType: contentType)
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: .init())
    }
}

/// Header names; `HTTPField` itself is reached through `HTTPFields.Element` because Hummingbird
/// re-exports only `HTTPFields`.
typealias HTTPHeaderName = HTTPFields.Element.Name

extension HTTPHeaderName {
    static let msRequestId = HTTPHeaderName("MS-RequestId")!
    static let msCorrelationId = HTTPHeaderName("MS-CorrelationId")!
    static let msCV = HTTPHeaderName("MS-CV")!
    static let msContinuationToken = HTTPHeaderName("MS-ContinuationToken")!
}

extension Request {
    /// The whole body as a string; simulator bodies are small, the cap keeps a bad client from hurting.
    mutating func bodyString(limit: Int = 1 << 20) async throws -> String {
        let buffer = try await collectBody(upTo: limit)
        return String(buffer: buffer)
    }

    func query(_ name: String) -> String? {
        guard let v = uri.queryParameters[Substring(name)] else { return nil }
        return String(v)
    }
}
