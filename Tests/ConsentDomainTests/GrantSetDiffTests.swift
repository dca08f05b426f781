import ConsentDomain
import Testing

@Suite struct GrantSetDiffTests {
    let graph = ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["A", "B"])
    let arm = ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"])
    let partnerCenter = ApplicationGrant(enterpriseApplicationID: .partnerCenter, scopes: ["user_impersonation"])

    @Test func identicalGrantsGiveAnEmptyDiff() {
        #expect(GrantSetDiff(from: [graph, arm], to: [arm, graph]).isEmpty)
    }

    @Test func everythingIsAddedWhenNothingWasGranted() {
        let diff = GrantSetDiff(from: nil as [ApplicationGrant]?, to: [graph, arm])
        #expect(diff.addedResources == [graph, arm])
        #expect(diff.removedResources.isEmpty)
        #expect(diff.changedResources.isEmpty)
    }

    @Test func aNewResourceIsAdded() {
        let diff = GrantSetDiff(from: [graph], to: [graph, partnerCenter])
        #expect(diff.addedResources == [partnerCenter])
        #expect(!diff.isEmpty)
    }

    @Test func aDroppedResourceIsRemoved() {
        let diff = GrantSetDiff(from: [graph, arm], to: [graph])
        #expect(diff.removedResources == [arm])
        #expect(diff.addedResources.isEmpty)
    }

    @Test func changedScopesAreListedPerResource() {
        // given
        let newGraph = ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["B", "C"])
        // when
        let diff = GrantSetDiff(from: [graph, arm], to: [newGraph, arm])
        // then
        #expect(diff.changedResources == [
            .init(enterpriseApplicationID: .microsoftGraph, addedScopes: ["C"], removedScopes: ["A"]),
        ])
        #expect(diff.addedResources.isEmpty && diff.removedResources.isEmpty)
    }
}
