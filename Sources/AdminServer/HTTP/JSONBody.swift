import Foundation
import Hummingbird
import NIOCore

/// Request and response bodies of the JSON API.
enum JSONBody {
    /// Decodes a request body, refusing unknown fields (a typo must not be silently ignored),
    /// bodies over the context's limit, and malformed JSON — each with a stable code.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AppRequestContext, allowedKeys: Set<String>) async throws -> T {
        // A body sent as anything but JSON is refused before it is read: a form post or a
        // `text/plain` body (which browsers send cross-site without a preflight) must not act.
        guard isJSON(request.headers[.contentType]) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", message: "send the request body as Content-Type: application/json",
                details: ["contentType": String((request.headers[.contentType] ?? "none").prefix(100))])
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body exceeds \(context.maxUploadSize) bytes")
        }
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(.badRequest, code: "malformed_json", message: "the request body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowedKeys.contains($0) }) {
            throw APIError(
                .badRequest, code: "unknown_field", message: "unknown field \(unknown)",
                details: ["field": unknown, "allowed": allowedKeys.sorted().joined(separator: ",")])
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, code: "missing_field", message: "\(key.stringValue) is required", details: ["field": key.stringValue])
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, code: "invalid_field", message: "\(field) has the wrong type", details: ["field": field])
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "the request body does not match the expected shape")
        }
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any letter case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json"
    }

    /// Like `decode`, but an empty body (no JSON at all) is nil: for POSTs whose body is optional.
    static func decodeOptional<T: Decodable>(
        _ type: T.Type, from request: Request, context: AppRequestContext, allowedKeys: Set<String>
    ) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body exceeds \(context.maxUploadSize) bytes")
        }
        guard buffer.readableBytes > 0 else { return nil }
        var request = request
        request.body = RequestBody(buffer: buffer)
        return try await decode(type, from: request, context: context, allowedKeys: allowedKeys)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
