import Foundation
import Testing

@testable import MicrosoftCloud

/// How a `/v1/customers` page says where the next one is (partner-center-api.md §5.2).
@Suite struct CustomerPageDecodingTests {
    func page(_ json: String) throws -> PartnerCenterCustomerPage {
        try #require(PartnerCenterCustomerPage.decode(Data(json.utf8), pageSize: 500))
    }

    let item = #"{"id":"AAAAAAAA-1111-4222-8333-444444444444","companyProfile":{"tenantId":"AAAAAAAA-1111-4222-8333-444444444444","domain":"a.onmicrosoft.com","companyName":"A"},"relationshipToPartner":"reseller"}"#

    @Test func linksNextIsFollowedWithEveryHeaderItLists() throws {
        // given
        let json = #"{"items":[\#(item)],"links":{"next":{"uri":"/v1/customers?size=500&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"v1/a,b="}]}},"continuationToken":"other"}"#

        // when
        let decoded = try page(json)

        // then
        #expect(decoded.next?.path == "/v1/customers?size=500&seekOperation=Next")
        #expect(decoded.next?.headers.map { "\($0.0)=\($0.1)" } == ["MS-ContinuationToken=v1/a,b="])
        #expect(decoded.customers.first?.tenantID == "aaaaaaaa-1111-4222-8333-444444444444")
        #expect(decoded.customers.first?.relationship == "reseller")
    }

    @Test func linkWithoutTheVersionPrefixGetsIt() throws {
        // given
        let json = #"{"items":[],"links":{"next":{"uri":"customers?size=500&seekOperation=Next","headers":[]}}}"#

        // when / then
        #expect(try page(json).next?.path == "/v1/customers?size=500&seekOperation=Next")
    }

    @Test func continuationTokenIsTheFallbackWithoutLinksNext() throws {
        // given
        let json = #"{"items":[\#(item)],"continuationToken":"tok/en=="}"#

        // when
        let decoded = try page(json)

        // then
        #expect(decoded.next?.path == "/v1/customers?size=500&seekOperation=Next")
        #expect(decoded.next?.headers.map { "\($0.0)=\($0.1)" } == ["MS-ContinuationToken=tok/en=="])
    }

    @Test func pageWithNeitherSignalIsTheLast() throws {
        // given
        let json = #"{"items":[\#(item)],"links":{"self":{"uri":"/v1/customers?size=500"}},"continuationToken":""}"#

        // when / then
        #expect(try page(json).next == nil)
    }
}
