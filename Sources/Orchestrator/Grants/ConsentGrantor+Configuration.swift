import ConsentDomain
import Foundation

extension ConsentGrantor {
    /// How the grantor retries and what it checks afterwards.
    public struct Configuration: Sendable {
        /// Counted attempts per call and the delays between them (5xx, timeouts, refused connections).
        public var backoff: BackoffPolicy
        /// 429s in a row on one call that are waited out without counting; past this, a 429 counts
        /// as a failed attempt, so a Partner Center that throttles forever still ends the task.
        public var maxConsecutiveThrottles: Int
        /// After a grant, check through Graph that the consent is there (`CPV_VERIFY_GRANTS`).
        public var verifyGrants: Bool
        /// The budget every DELETE and POST waits for (e.g. `DatabaseRateGovernor`); nil: no limit of ours.
        public var gate: (any ConsentCallGate)?

        public init(
            backoff: BackoffPolicy = .consentCalls, maxConsecutiveThrottles: Int = 10, verifyGrants: Bool = false,
            gate: (any ConsentCallGate)? = nil
        ) {
            self.gate = gate
            self.backoff = backoff
            self.maxConsecutiveThrottles = maxConsecutiveThrottles
            self.verifyGrants = verifyGrants
        }
    }
}
