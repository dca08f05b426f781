import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud

/// What the Graph check after a grant found.
public struct GrantVerification: Sendable, Equatable {
    /// The CPV app's service principal exists and holds exactly the expected scopes per resource.
    public var verified: Bool
    public var servicePrincipalID: String?
    /// Human-readable differences, e.g. `00000003-…: missing User.Read.All`.
    public var differences: [String]
    /// Why the check itself could not run (token or Graph failure); nil when it ran.
    public var errorCode: String?
    /// The reading itself: state, time, and what differed per resource.
    public var reading: ConsentVerification?
}

/// Checks through Graph in the customer tenant that the consent a grant set describes is there
/// (`CPV_VERIFY_GRANTS`, after each grant): one fresh reading by the `ConsentReader` that
/// reconcile runs use, so both compare in one place.
public struct GrantVerifier: Sendable {
    let reader: ConsentReader

    public init(reader: ConsentReader) {
        self.reader = reader
    }

    public init(tokens: PartnerTokenProvider, graph: GraphClient) {
        self.reader = ConsentReader(tokens: tokens, graph: graph)
    }

    public func verify(partner: Partner, customerTenant: TenantID, grantSet: GrantSet, logger: Logger) async -> GrantVerification {
        // Redeemed anew: a token minted before the consent does not carry it (§7.4).
        let reading = await reader.read(partner: partner, customerTenant: customerTenant, grantSet: grantSet, fresh: true, logger: logger)
        let verification = reading.verification
        switch verification.state {
        case .verified:
            return GrantVerification(
                verified: true, servicePrincipalID: verification.servicePrincipalID, differences: [], errorCode: nil, reading: verification)
        case .drifted:
            return GrantVerification(
                verified: false, servicePrincipalID: verification.servicePrincipalID, differences: verification.summary, errorCode: nil,
                reading: verification)
        case .missing, .unknown:
            return GrantVerification(
                verified: false, differences: [verification.reason ?? verification.state.rawValue],
                errorCode: verification.state == .unknown ? verification.code : nil, reading: verification)
        }
    }
}
