import ConsentDomain
import Foundation
import Logging
import MicrosoftCloud

/// A live check of one partner: can its refresh token be redeemed for Partner Center, and does
/// Partner Center answer with its customers? Each step reports what works and, when not, why.
public struct PartnerVerifier: Sendable {
    let provider: PartnerTokenProvider
    let partnerCenter: PartnerCenterClient

    public init(provider: PartnerTokenProvider, partnerCenter: PartnerCenterClient) {
        self.provider = provider
        self.partnerCenter = partnerCenter
    }

    public struct Step: Sendable, Encodable, Equatable {
        public let name: String
        public let ok: Bool
        public let detail: String
        /// The mapped reason (`partner_must_reconsent`, ...) or Partner Center error code when not ok.
        public let reason: String?
    }

    public struct Report: Sendable, Encodable, Equatable {
        public let partnerId: UUID
        public let ok: Bool
        public let steps: [Step]
        public let checkedAt: Date
    }

    public func verify(_ partner: Partner, logger: Logger) async -> Report {
        var steps: [Step] = []
        let token: Secret<String>
        do {
            token = try await provider.accessToken(
                for: partner, tenant: partner.tenantID.description, scope: provider.profile(for: partner).partnerCenterScope,
                forceRedeem: true, logger: logger)
            steps.append(Step(name: "redeem_refresh_token", ok: true, detail: "the refresh token was redeemed and its successor stored", reason: nil))
        } catch {
            steps.append(Step(name: "redeem_refresh_token", ok: false, detail: error.message, reason: error.reason.rawValue))
            return Report(partnerId: partner.id, ok: false, steps: steps, checkedAt: Date())
        }
        do {
            let page = try await partnerCenter.customers(
                profile: provider.profile(for: partner), accessToken: token, pageSize: 10, continuation: nil, logger: logger)
            steps.append(
                Step(
                    name: "list_customers", ok: true,
                    detail: "Partner Center listed \(page.customers.count) customer(s) on the first page", reason: nil))
        } catch {
            let reason: String
            switch error {
            case .failed(let failure): reason = failure.errorCode
            case .transport: reason = "unreachable"
            case .malformedResponse: reason = "malformed_response"
            }
            steps.append(Step(name: "list_customers", ok: false, detail: error.description, reason: reason))
        }
        return Report(partnerId: partner.id, ok: steps.allSatisfy(\.ok), steps: steps, checkedAt: Date())
    }
}
