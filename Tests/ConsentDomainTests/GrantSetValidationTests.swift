import ConsentDomain
import Foundation
import Testing

@Suite struct GrantSetValidationTests {
    let app = "0b5a1c7e-2f3d-4a6b-8c9d-0e1f2a3b4c5d"
    let graph = "00000003-0000-0000-c000-000000000000"
    let arm = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

    func draft(name: String = "CPV app", _ grants: [GrantSetDraft.Grant]) -> GrantSetDraft {
        GrantSetDraft(applicationID: app, displayName: name, grants: grants)
    }

    func failure(_ draft: GrantSetDraft) -> DomainValidationError? {
        do {
            _ = try draft.validated()
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidDraftBecomesTypedGrants() throws {
        // given
        let input = draft([.init(enterpriseApplicationID: graph, scope: "Directory.Read.All, User.Read.All"),
                           .init(enterpriseApplicationID: arm, scope: "user_impersonation")])
        // when
        let valid = try input.validated()
        // then
        #expect(valid.applicationID.description == app)
        #expect(valid.grants == [
            ApplicationGrant(enterpriseApplicationID: .microsoftGraph, scopes: ["Directory.Read.All", "User.Read.All"]),
            ApplicationGrant(enterpriseApplicationID: .azureResourceManager, scopes: ["user_impersonation"]),
        ])
    }

    @Test func aValidDraftBecomesAGrantSetWithTheGivenVersion() throws {
        let valid = try draft([.init(enterpriseApplicationID: graph, scope: "A")]).validated()
        let set = valid.grantSet(version: 4, createdBy: "alice", createdAt: Date(timeIntervalSince1970: 0))
        #expect(set.version == 4)
        #expect(set.createdBy == "alice")
        #expect(set.displayName == "CPV app")
    }

    @Test func aMalformedApplicationIDIsRefused() {
        let input = GrantSetDraft(applicationID: "cpv", displayName: "CPV", grants: [.init(enterpriseApplicationID: graph, scope: "A")])
        #expect(failure(input)?.field == "applicationId")
        #expect(failure(input)?.code == .notAGUID)
    }

    @Test func anEmptyDisplayNameIsRefused() {
        #expect(failure(draft(name: " ", [.init(enterpriseApplicationID: graph, scope: "A")]))
            == DomainValidationError(field: "displayName", code: .empty, message: "must not be empty"))
    }

    @Test func aTooLongDisplayNameIsRefused() {
        #expect(failure(draft(name: String(repeating: "x", count: 257), [.init(enterpriseApplicationID: graph, scope: "A")]))?.code == .tooLong)
    }

    @Test func aDraftWithoutGrantsIsRefused() {
        #expect(failure(draft([])) == DomainValidationError(field: "grants", code: .empty, message: "must hold at least one grant"))
    }

    @Test func aMalformedResourceIDIsRefused() {
        let error = failure(draft([.init(enterpriseApplicationID: graph, scope: "A"), .init(enterpriseApplicationID: "graph", scope: "A")]))
        #expect(error?.field == "grants[1].enterpriseApplicationId")
        #expect(error?.code == .notAGUID)
    }

    @Test func legacyAzureADGraphIsRefusedPointingToMicrosoftGraph() throws {
        // when
        let error = try #require(failure(draft([.init(enterpriseApplicationID: "00000002-0000-0000-C000-000000000000", scope: "Directory.Read")])))
        // then
        #expect(error.code == .deprecatedResource)
        #expect(error.message.contains("2023-06-30"))
        #expect(error.message.contains(graph))
    }

    @Test func aDuplicateResourceIsRefused() {
        let error = failure(draft([.init(enterpriseApplicationID: graph, scope: "A"), .init(enterpriseApplicationID: graph.uppercased(), scope: "B")]))
        #expect(error?.field == "grants[1].enterpriseApplicationId")
        #expect(error?.code == .duplicate)
    }

    @Test func aGrantWithoutScopesIsRefused() {
        let error = failure(draft([.init(enterpriseApplicationID: graph, scopes: [])]))
        #expect(error == DomainValidationError(field: "grants[0].scope", code: .empty, message: "must name at least one scope"))
    }

    @Test(arguments: ["", "A,,B", "A,", " , A"])
    func anEmptyScopeNameIsRefused(_ scope: String) {
        #expect(failure(draft([.init(enterpriseApplicationID: graph, scope: scope)]))?.code == .empty)
    }

    @Test(arguments: ["User Read", "User\tRead", "Directory.Read.All;X", "Mail/Send", "Ünïcode", "a,b"])
    func aScopeNameWithForeignCharactersIsRefused(_ scope: String) {
        // given: passed as a list so that a comma inside one name is seen as such
        let input = draft([.init(enterpriseApplicationID: graph, scopes: [scope])])
        // then
        #expect(failure(input)?.code == .invalidCharacters)
    }

    @Test func scopeNamesUseLettersDigitsDotsUnderscoresAndDashes() throws {
        let valid = try draft([.init(enterpriseApplicationID: graph, scopes: ["Sites.Read-Write_2.All"])]).validated()
        #expect(valid.grants[0].scopes == ["Sites.Read-Write_2.All"])
    }

    @Test func aDuplicateScopeInOneGrantIsRefusedWhateverItsCase() {
        let error = failure(draft([.init(enterpriseApplicationID: graph, scope: "User.Read,user.read")]))
        #expect(error?.field == "grants[0].scope")
        #expect(error?.code == .duplicate)
    }

    @Test func theSameScopeOnTwoResourcesIsAllowed() throws {
        let valid = try draft([.init(enterpriseApplicationID: graph, scope: "user_impersonation"),
                               .init(enterpriseApplicationID: arm, scope: "user_impersonation")]).validated()
        #expect(valid.grants.count == 2)
    }
}
