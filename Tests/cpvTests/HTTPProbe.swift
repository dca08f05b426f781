import AsyncHTTPClient
import Foundation
import NIOCore

/// A plain HTTP GET with a deadline, for talking to a `cpv` child process.
enum HTTPProbe {
    static func get(_ url: String) async throws -> (status: UInt, body: String) {
        let request = HTTPClientRequest(url: url)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }
}
