import ConsentDomain
import ConsentStore
import Foundation
import Orchestrator
import Testing

/// What staff read in API error bodies, the console and the CLI prints GUIDs lower-case, as
/// Microsoft and our documents do (`UUID.description` is upper-case).
@Suite struct ErrorTextTests {
    static let id = UUID(uuidString: "8BFA0997-6640-4225-9F19-9AFCA8F1A63A")!

    @Test(arguments: [
        ConsentGrantorError.partnerNotFound(id).description,
        ConsentGrantorError.partnerDisabled(id).description,
        CustomerSyncError.partnerNotFound(id).description,
        CustomerSyncError.partnerNotActive(id, status: "pending_consent").description,
        RunStoreError.notFound(id).description,
        RunStoreError.corruptRow(id).description,
        PartnerStoreError.notFound(id).description,
        PartnerStoreError.corruptRow(id).description,
    ])
    func errorsNameGUIDsInLowerCase(_ text: String) {
        #expect(text.contains("8bfa0997-6640-4225-9f19-9afca8f1a63a"))
        #expect(!text.contains("8BFA0997"))
    }
}
