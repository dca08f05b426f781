import Foundation

/// Opaque, tamper-evident continuation tokens for `GET /v1/customers` (reference §5.2).
///
/// The token deliberately contains `/`, `,` and `=` so clients prove they pass it verbatim.
struct CustomerPaging: Sendable {
    struct Position: Sendable, Equatable {
        var partnerTenantId: String
        var offset: Int
        var size: Int
        var issuedAt: Int
    }

    let signer: TokenSigner

    func token(for position: Position) -> String {
        let payload = Array("\(position.partnerTenantId)|\(position.offset)|\(position.size)|\(position.issuedAt)".utf8)
        return "v1/" + Data(payload).base64EncodedString() + "," + Data(signer.mac(payload)).base64EncodedString()
    }

    /// The position a token names, or nil if it is not ours, was altered, or belongs to another partner.
    func position(from token: String, partnerTenantId: String, now: Date, lifetime: Int) -> Position? {
        guard token.hasPrefix("v1/") else { return nil }
        let parts = token.dropFirst(3).split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Data(base64Encoded: String(parts[0])), let mac = Data(base64Encoded: String(parts[1])),
              Array(mac) == signer.mac(Array(payload)),
              let text = String(data: payload, encoding: .utf8)
        else { return nil }
        let fields = text.split(separator: "|").map(String.init)
        guard fields.count == 4, let offset = Int(fields[1]), let size = Int(fields[2]), let issuedAt = Int(fields[3]),
              fields[0] == partnerTenantId, Int(now.timeIntervalSince1970) - issuedAt <= lifetime
        else { return nil }
        return Position(partnerTenantId: fields[0], offset: offset, size: size, issuedAt: issuedAt)
    }
}

/// A customer as `GET /v1/customers` lists it (reference §5.3).
struct PartnerCenterCustomerJSON: Encodable {
    struct Attributes: Encodable { var objectType: String }
    struct CompanyProfile: Encodable {
        var tenantId: String
        var domain: String
        var companyName: String
        var attributes = Attributes(objectType: "CustomerCompanyProfile")
    }
    struct Link: Encodable {
        var uri: String
        var method = "GET"
        var headers: [String] = []
    }
    struct Links: Encodable { var `self`: Link }

    var id: String
    var commerceId: String
    var companyProfile: CompanyProfile
    var relationshipToPartner: String
    var allowDelegatedAccess: Bool?
    var links: Links
    var attributes = Attributes(objectType: "Customer")

    init(_ customer: SimulatedCustomer, detailed: Bool = false) {
        id = customer.tenantId
        commerceId = StableID.guid("commerce", customer.tenantId)
        companyProfile = CompanyProfile(tenantId: customer.tenantId, domain: customer.domain, companyName: customer.companyName)
        relationshipToPartner = customer.relationshipToPartner
        allowDelegatedAccess = detailed ? true : nil
        links = Links(self: Link(uri: "/customers/\(customer.tenantId)"))
    }
}

/// Writes one page of the customers collection from pre-encoded items.
enum CustomerPageWriter {
    static func page(items: ArraySlice<[UInt8]>, size: Int, totalCount: Int, nextToken: String?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(256) { $0 + $1.count + 1 })
        out += Array("{\"totalCount\":\(totalCount),\"items\":[".utf8)
        var first = true
        for item in items {
            if !first { out.append(UInt8(ascii: ",")) }
            out += item
            first = false
        }
        out += Array("],\"links\":{\"self\":{\"uri\":\"/v1/customers?size=\(size)\",\"method\":\"GET\",\"headers\":[]}".utf8)
        if let nextToken {
            // The token is base64 plus `/` and `,`: nothing in it needs JSON escaping.
            out += Array(",\"next\":{\"uri\":\"/v1/customers?size=\(size)&seekOperation=Next\",\"method\":\"GET\",\"headers\":[{\"key\":\"MS-ContinuationToken\",\"value\":\"\(nextToken)\"}]}}".utf8)
            out += Array(",\"continuationToken\":\"\(nextToken)\"".utf8)
        } else {
            out += Array("}".utf8)
        }
        out += Array(",\"attributes\":{\"objectType\":\"Collection\"}}".utf8)
        return out
    }
}
