import Foundation

/// One customer as Partner Center lists it (partner-center-api.md §5.3), reduced to what we keep.
public struct PartnerCenterCustomer: Sendable, Equatable {
    public let tenantID: String
    public let companyName: String
    public let domain: String?
    public let relationship: String?
}

/// One page of `GET /v1/customers`, and how to ask for the next one.
public struct PartnerCenterCustomerPage: Sendable {
    public let customers: [PartnerCenterCustomer]
    /// nil on the last page.
    public let next: Continuation?

    /// The next page: `links.next` (its URI and every header it lists) when present, otherwise the
    /// body's `continuationToken` with `seekOperation=Next` (§5.2).
    public struct Continuation: Sendable, Equatable {
        public let path: String
        public let headers: [(String, String)]

        public static func == (lhs: Continuation, rhs: Continuation) -> Bool {
            lhs.path == rhs.path && lhs.headers.map { "\($0.0)=\($0.1)" } == rhs.headers.map { "\($0.0)=\($0.1)" }
        }
    }

    private struct Body: Decodable {
        struct Item: Decodable {
            struct Profile: Decodable {
                let tenantId: String?
                let domain: String?
                let companyName: String?
            }
            let id: String
            let companyProfile: Profile?
            let relationshipToPartner: String?
        }
        struct Links: Decodable {
            struct Link: Decodable {
                struct Header: Decodable {
                    let key: String
                    let value: String
                }
                let uri: String
                let headers: [Header]?
            }
            let next: Link?
        }
        let items: [Item]?
        let links: Links?
        let continuationToken: String?
    }

    static func decode(_ data: Data, pageSize: Int) -> PartnerCenterCustomerPage? {
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else { return nil }
        let customers = (body.items ?? []).map { item in
            PartnerCenterCustomer(
                tenantID: (item.companyProfile?.tenantId ?? item.id).lowercased(),
                companyName: item.companyProfile?.companyName ?? item.id,
                domain: item.companyProfile?.domain,
                relationship: item.relationshipToPartner)
        }
        var next: Continuation?
        if let link = body.links?.next {
            // The official SDK prefixes /v1 when the link lacks it.
            let path = link.uri.hasPrefix("/v1/") ? link.uri : "/v1" + (link.uri.hasPrefix("/") ? link.uri : "/" + link.uri)
            next = Continuation(path: path, headers: (link.headers ?? []).map { ($0.key, $0.value) })
        } else if let token = body.continuationToken, !token.isEmpty {
            next = Continuation(
                path: "/v1/customers?size=\(pageSize)&seekOperation=Next", headers: [("MS-ContinuationToken", token)])
        }
        return PartnerCenterCustomerPage(customers: customers, next: next)
    }
}
