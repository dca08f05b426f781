import ConsentDomain
import MicrosoftCloud
import Testing

@Suite struct CloudProfileTests {
    @Test func eachCloudHasItsOwnEndpoints() {
        #expect(CloudProfile.standard(.global).login == "https://login.microsoftonline.com")
        #expect(CloudProfile.standard(.usgov).login == "https://login.microsoftonline.us")
        #expect(CloudProfile.standard(.usgov).partnerCenter == "https://api.partnercenter.microsoft.com")
        #expect(CloudProfile.standard(.usgov).arm == "https://management.usgovcloudapi.net")
        #expect(CloudProfile.standard(.china).partnerCenter == "https://partner.partnercenterapi.microsoftonline.cn")
        #expect(CloudProfile.standard(.china).graph == "https://microsoftgraph.chinacloudapi.cn")
    }

    @Test func overridesReplaceEndpointsButNotAudiences() {
        let profile = CloudProfile.resolve(.global, overrides: .init(login: "http://sim", partnerCenter: "http://sim"))
        #expect(profile.tokenURL(tenant: "t", version: .v2) == "http://sim/t/oauth2/v2.0/token")
        #expect(profile.tokenURL(tenant: "t", version: .v1) == "http://sim/t/oauth2/token")
        #expect(profile.partnerCenterScope == "https://api.partnercenter.microsoft.com/.default")
        #expect(profile.graph == "https://graph.microsoft.com")
    }
}
