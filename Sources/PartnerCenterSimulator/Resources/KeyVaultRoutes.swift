import Foundation
import Hummingbird

/// Key Vault secrets at `/secrets/...` (vault base URL = simulator base URL), versions kept,
/// bearer token for `https://vault.azure.net` required.
struct KeyVaultRoutes: Sendable {
    let state: SimulatorState

    struct SecretBundle: Encodable {
        struct Attributes: Encodable { var enabled = true; var created: Int; var updated: Int; var recoveryLevel = "Recoverable+Purgeable" }
        var value: String?
        var id: String
        var contentType: String?
        var tags: [String: String]?
        var attributes: Attributes
        var recoveryId: String?
        var deletedDate: Int?
    }

    private struct SetSecret: Decodable { var value: String; var contentType: String?; var tags: [String: String]? }

    private struct ErrorBody: Encodable {
        struct Inner: Encodable { var code: String; var message: String }
        var error: Inner
    }

    func register(on router: Router<BasicRequestContext>) {
        router.put("/secrets/{name}") { request, context in
            var request = request
            let name = context.parameters.get("name") ?? ""
            if let denied = self.check(request) { return denied }
            guard let body = try? await request.collectBody(upTo: 1 << 20),
                  let set = try? JSONDecoder().decode(SetSecret.self, from: Data(buffer: body))
            else { return self.error(.badRequest, "BadParameter", "The request body must be JSON with a 'value'.") }
            let version = await self.state.putSecret(name: name, value: set.value, contentType: set.contentType, tags: set.tags)
            return HTTPResponses.json(self.bundle(request, name: name, version))
        }
        router.get("/secrets/{name}") { request, context in
            await self.read(request, name: context.parameters.get("name") ?? "", version: nil)
        }
        router.get("/secrets/{name}/{version}") { request, context in
            await self.read(request, name: context.parameters.get("name") ?? "", version: context.parameters.get("version"))
        }
        router.delete("/secrets/{name}") { request, context in
            let name = context.parameters.get("name") ?? ""
            if let denied = self.check(request) { return denied }
            guard let last = await self.state.deleteSecret(name: name) else { return self.notFound(name) }
            var b = self.bundle(request, name: name, last)
            b.value = nil
            b.recoveryId = "\(self.base(request))/deletedsecrets/\(name)"
            b.deletedDate = Int(self.state.clock.now().timeIntervalSince1970)
            return HTTPResponses.json(b)
        }
    }

    private func read(_ request: Request, name: String, version: String?) async -> Response {
        if let denied = check(request) { return denied }
        guard let secret = await state.secret(name: name, version: version) else { return notFound(name) }
        return HTTPResponses.json(bundle(request, name: name, secret))
    }

    private func check(_ request: Request) -> Response? {
        guard request.query("api-version") != nil else { return error(.badRequest, "BadParameter", "api-version is required.") }
        if case .failure(let failure) = state.verifyBearer(request, audience: .keyVault) {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer authorization=\"https://login.microsoftonline.com/common\", resource=\"https://vault.azure.net\""
            var response = error(.unauthorized, "Unauthorized", failure.message)
            response.headers[.wwwAuthenticate] = headers[.wwwAuthenticate]
            return response
        }
        return nil
    }

    private func bundle(_ request: Request, name: String, _ v: SecretVersion) -> SecretBundle {
        let t = Int(v.created.timeIntervalSince1970)
        return SecretBundle(value: v.value, id: "\(base(request))/secrets/\(name)/\(v.version)", contentType: v.contentType, tags: v.tags,
                            attributes: .init(created: t, updated: t))
    }

    private func base(_ request: Request) -> String { "http://\(request.head.authority ?? "localhost")" }

    private func notFound(_ name: String) -> Response {
        error(.notFound, "SecretNotFound", "A secret with (name/id) \(name) was not found in this key vault.")
    }

    private func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        HTTPResponses.json(ErrorBody(error: .init(code: code, message: message)), status: status)
    }
}

extension SimulatorState {
    func putSecret(name: String, value: String, contentType: String?, tags: [String: String]?) -> SecretVersion {
        let v = SecretVersion(version: GUIDFormat.random().replacingOccurrences(of: "-", with: ""), value: value, contentType: contentType, tags: tags, created: clock.now())
        secrets[name.lowercased(), default: []].append(v)
        return v
    }

    func secret(name: String, version: String?) -> SecretVersion? {
        let versions = secrets[name.lowercased()] ?? []
        guard let version else { return versions.last }
        return versions.first { $0.version == version }
    }

    func deleteSecret(name: String) -> SecretVersion? {
        secrets.removeValue(forKey: name.lowercased())?.last
    }
}
